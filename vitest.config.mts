import { defineConfig } from "vitest/config";

/**
 * The provider's suites, run a second time with every emulator reading switched to its
 * alternative (README, "Help settle the emulator's open questions"): the provider must work on
 * either Twilio.
 */
const PROVIDER_SUITES = [
  "test/provider.test.ts",
  "test/participants.test.ts",
  "test/lookup.test.ts",
  "test/engine-lifecycle.test.ts",
];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Load the built package with Node itself, as users' programs do: the provider text that
    // Pulumi serializes must be the same in tests as in real stacks.
    server: { deps: { external: [/\/dist\//] } },
    projects: [
      { extends: true, test: { name: "default readings", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "alternative readings",
          include: PROVIDER_SUITES,
          env: { EMULATOR_READINGS: "alternative" },
        },
      },
    ],
  },
});
