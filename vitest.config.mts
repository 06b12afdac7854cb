import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Load the built package with Node itself, as users' programs do: the provider text that
    // Pulumi serializes must be the same in tests as in real stacks.
    server: { deps: { external: [/\/dist\//] } },
  },
});
