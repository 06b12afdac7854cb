// Every folder under examples/ with a Pulumi.yaml is a project a user can copy: checked for its
// files, then its program run through the engine against the emulator (up, a refreshing
// preview that must show no change, destroy). A new example without an entry below fails.
import * as fs from "node:fs";
import * as path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "./support/fixtures";
import type { EmulatorHarness } from "./support/emulator";
import { EngineStack, repoRoot } from "./support/engine";

const examplesDir = path.join(repoRoot, "examples");
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const projects = fs
  .readdirSync(examplesDir)
  .filter((name) => fs.existsSync(path.join(examplesDir, name, "Pulumi.yaml")))
  .sort();

const KC = expect.stringMatching(/^KC[0-9a-f]{32}$/);

type Sids = Record<string, string>;

interface ExampleRun {
  /** Makes sessions outside the stack first; returns their SIDs and the example's config. */
  before?: (emu: EmulatorHarness) => Promise<{ made: Sids; config: Record<string, string> }>;
  /** What `pulumi up` must output. */
  outputs: (made: Sids) => Record<string, unknown>;
  /** The live sessions left after destroy: only those made outside and not adopted. */
  left: (made: Sids) => string[];
}

const RUNS: Record<string, ExampleRun> = {
  basic: {
    outputs: () => ({ tripSid: KC, tripStatus: "open", supportSid: KC, archivedStatus: "closed" }),
    left: () => [],
  },
  adopt: {
    before: async (emu) => {
      const made = {
        legacy: await emu.createdElsewhere("legacy-hotline"),
        unnamed: await emu.createdElsewhere(),
      };
      return { made, config: { sessionSid: made.unnamed } };
    },
    outputs: (made) => ({ legacySid: made.legacy, legacyTtl: 7200, unnamedSid: made.unnamed }),
    left: () => [],
  },
  unmanaged: {
    before: async (emu) => ({
      made: { app: await emu.createdElsewhere("made-by-an-app") },
      config: { lookupName: "made-by-an-app" },
    }),
    outputs: (made) => ({
      hotlineSid: KC,
      supportSid: KC,
      unmanagedSessions: [{ uniqueName: "made-by-an-app", sid: made.app, status: "open" }],
      lookedUpStatus: "open",
    }),
    left: (made) => [made.app],
  },
};

it("every example has a test run", () => {
  expect(projects).toEqual(Object.keys(RUNS).sort());
});

describe.each(projects)("examples/%s", (name) => {
  const dir = path.join(examplesDir, name);
  const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
  const project = /^name:\s*(\S+)$/m.exec(read("Pulumi.yaml"))?.[1];

  it("is a project on its own: Pulumi.yaml, package.json, tsconfig.json, index.ts, README.md", () => {
    expect(read("Pulumi.yaml")).toMatch(/^runtime:\s*nodejs$/m);
    const pkg = JSON.parse(read("package.json"));
    expect(pkg.name).toBe(project);
    expect(pkg.main).toBe("index.ts");
    // The released package, and the Pulumi SDK versions it supports.
    expect(pkg.dependencies).toEqual({
      "@pulumi/pulumi": `^${/>=(\S+)/.exec(manifest.peerDependencies["@pulumi/pulumi"])![1]}`,
      "pulumi-twilio-proxy": `^${manifest.version}`,
    });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(["@types/node", "typescript"]);
    const tsconfig = JSON.parse(read("tsconfig.json"));
    expect(tsconfig.files).toEqual(["index.ts"]);
    expect(tsconfig.compilerOptions).toMatchObject({ module: "commonjs", strict: true });
    expect(read("index.ts")).toMatch(/from "pulumi-twilio-proxy"/);
    expect(read("README.md")).toMatch(/pulumi up/);
  });

  it("deploys, refreshes without drift and destroys through the engine", async ({ emu }) => {
    const run = RUNS[name];
    const { made, config } = (await run.before?.(emu)) ?? { made: {}, config: {} };
    const program = (await import(path.join(dir, "index.ts"))).default as PulumiFn;
    const stack = await EngineStack.create(emu, program, { project, config });
    try {
      const up = await stack.stack.up();
      const outputs = Object.fromEntries(
        Object.entries(up.outputs)
          .filter(([, o]) => o.value !== undefined)
          .map(([k, o]) => [k, o.value]),
      );
      expect(outputs).toEqual(run.outputs(made));
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
      expect((await emu.sessions()).map((s) => s.sid)).toEqual(run.left(made));
    } finally {
      await stack.dispose();
    }
  });
});
