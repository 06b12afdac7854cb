// The package as users install it: packed with `npm pack` and installed (offline) into a new
// project outside this repository, a copy of examples/basic. Its entry points through require
// and import, its binaries and its types; then that TypeScript program and a JavaScript one
// deployed with the `pulumi` CLI against the emulator, which also runs the provider code that
// state records (it requires `pulumi-twilio-proxy/dist/provider/runtime`). And the README's
// minimal stack: compiled with TypeScript 5 and 6, and deployed.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { pulumiCli, type PulumiCli } from "./support/cli";
import type { EmulatorHarness } from "./support/emulator";
import { repoRoot } from "./support/engine";
import { describe, emulatorTest, expect } from "./support/fixtures";
import { installPacked, packPackage, tarballFiles } from "./support/packed";

// No reset between tests: only the two deploys use the emulator, and each destroys what it made.
// (A reset would also reuse a keep-alive socket that the emulator closed while the synchronous
// build, pack and install blocked this process: ECONNRESET.)
const it = emulatorTest({ resetBeforeEach: false });

/** The path provider/stub.ts requires, recorded in every stack's state: it must never move. */
const RUNTIME = "pulumi-twilio-proxy/dist/provider/runtime";

/** What the package root exports at run time: the resource, the lookups, the errors. */
const ROOT_API = [
  "LookupArgumentError",
  "PaginationError",
  "ProviderConfigError",
  "ProxySession",
  "SessionConflictError",
  "SessionNotFoundError",
  "TwilioApiError",
  "TwilioNetworkError",
  "TwilioProxyError",
  "TwilioRequestError",
  "UnexpectedAnswerError",
  "findUnmanagedSessions",
  "getProxySession",
  "getProxySessionOutput",
  "listProxySessions",
  "listProxySessionsOutput",
  "listUnmanagedSessions",
];

describe("the package in this repository", () => {
  it("resolves the runtime path that state requires through its exports map", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    expect(manifest.exports["./dist/provider/runtime"]).toBe("./dist/provider/runtime.js");
    const resolved = createRequire(path.join(repoRoot, "package.json")).resolve(RUNTIME);
    expect(resolved).toBe(path.join(repoRoot, "dist/provider/runtime.js"));
  });
});

describe.skipIf(!fs.existsSync(path.join(repoRoot, ".git")))("a git checkout", () => {
  it("builds dist/ when installed straight from git (the prepare script)", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "from-git-"));
    try {
      // What `npm install git+https://...` does first: clone, install, prepare, pack.
      const commit = execFileSync("git", ["rev-parse", "HEAD"], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      const out = execFileSync(
        "npm",
        ["pack", "--offline", "--json", `git+file://${repoRoot}#${commit.trim()}`],
        { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      const tarball = path.join(scratch, JSON.parse(out)[0].filename);
      expect(tarballFiles(tarball)).toEqual(
        expect.arrayContaining([
          "dist/provider/index.js",
          "dist/provider/index.d.ts",
          "dist/provider/runtime.js",
          "dist/emulator/index.js",
          "dist/emulator/cli.js",
        ]),
      );
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("the packed package, installed into a new project", () => {
  let scratch: string;
  let app: string;
  let tarball: string;
  const clis: PulumiCli[] = [];

  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "packed-"));
    app = path.join(scratch, "app");
    fs.cpSync(path.join(repoRoot, "examples/basic"), app, { recursive: true });
    for (const [file, text] of Object.entries(PROJECT_FILES)) {
      fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
      fs.writeFileSync(path.join(app, file), text);
    }
    tarball = packPackage(scratch);
    installPacked(app, tarball);
  });
  afterAll(() => {
    clis.forEach((c) => c.dispose());
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs `node <args>` in the project; returns its output. */
  const node = (...args: string[]) =>
    execFileSync(process.execPath, args, { cwd: app, encoding: "utf8", stdio: "pipe" });

  it("holds the built package, its license and the drift report: no sources, no tests", () => {
    const files = tarballFiles(tarball);
    expect(files).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "dist/provider/index.js",
        "dist/provider/index.d.ts",
        "dist/provider/runtime.js",
        "dist/emulator/cli.js",
        "pipelines/drift-report.mjs",
      ]),
    );
    const unexpected = files.filter(
      (f) =>
        !/^(LICENSE|README\.md|package\.json|pipelines\/(drift-report\.(mjs|d\.mts)|drift-gate\.sh))$/.test(
          f,
        ) && !/^dist\/(provider|emulator)\/[\w/-]+\.(js|d\.ts)$/.test(f),
    );
    expect(unexpected).toEqual([]);
  });

  it("require() reaches every entry point; the root exports the API and nothing internal", () => {
    const seen = JSON.parse(node("entry-points.cjs"));
    expect(seen.root).toEqual(ROOT_API);
    expect(seen.emulator).toBe("function");
    expect(seen.driftReport).toBe("function");
    expect(seen.internal).toEqual(["ProxySessionProvider", "checkInputs", "diffSession"]);
    expect(seen.runtime).toEqual({
      file: fs.realpathSync(
        path.join(app, "node_modules/pulumi-twilio-proxy/dist/provider/runtime.js"),
      ),
      create: "function",
    });
    expect(seen.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(seen.deepPath).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("import reaches every entry point with named exports", () => {
    expect(JSON.parse(node("entry-points.mjs"))).toEqual({
      root: ["function", "function", "function"],
      emulator: "function",
      driftReport: "function",
      internal: "function",
      runtime: "function",
    });
  });

  it("compiles the README's minimal stack with TypeScript 5 and 6, each installed with npm", () => {
    const minimal = writeMinimalStack(app);
    const seen: Record<string, string> = {};
    for (const major of ["5", "6"]) {
      // Installed beside the project, not in it: the other tests use the project's own.
      const home = path.join(scratch, `typescript-${major}`);
      fs.mkdirSync(home);
      fs.writeFileSync(path.join(home, "package.json"), '{"private": true}');
      execFileSync(
        "npm",
        ["install", "--prefer-offline", "--no-audit", "--no-fund", `typescript@${major}`],
        { cwd: home, stdio: "pipe" },
      );
      const tsc = path.join(home, "node_modules/typescript/bin/tsc");
      seen[major] = node(tsc, "--version").trim();
      let out = "";
      try {
        node(tsc, "-p", minimal, "--noEmit");
      } catch (err) {
        out = String((err as { stdout?: string }).stdout);
      }
      expect(out, `TypeScript ${seen[major]}`).toBe("");
    }
    expect(seen["5"]).toMatch(/^Version 5\./);
    expect(seen["6"]).toMatch(/^Version 6\./);
  }, 300_000); // two npm installs

  it("types every entry point under Node10 and Node16 module resolution", () => {
    const tsc = path.join(app, "node_modules/typescript/bin/tsc");
    for (const project of ["tsconfig.node10.json", "tsconfig.node16.json"]) {
      // Judged by exit status; a crash that only writes to stderr fails too, and shows.
      const r = spawnSync(process.execPath, [tsc, "-p", project], { cwd: app, encoding: "utf8" });
      expect({ project, status: r.status, output: `${r.stdout}${r.stderr}` }).toEqual({
        project,
        status: 0,
        output: "",
      });
    }
  });

  it("installs both binaries: the emulator and the drift report", () => {
    const bin = (name: string) => path.join(app, "node_modules/.bin", name);
    expect(execFileSync(bin("twilio-proxy-emulator"), ["--help"], { encoding: "utf8" })).toMatch(
      /^Usage: twilio-proxy-emulator/,
    );
    const report = execFileSync(bin("twilio-proxy-drift-report"), [], {
      input: JSON.stringify({ steps: [{ op: "same", urn: "urn:pulumi:s::p::t::a" }] }),
      encoding: "utf8",
    });
    expect(report).toBe("drift-gate: no changes (1 resources checked)\n");
  });

  /** The CLI in a directory of the project, with the emulator's settings in the environment. */
  const cliIn = (emu: EmulatorHarness, dir: string) => {
    const cli = pulumiCli(dir, emu.env({ TWILIO_PROXY_SERVICE_SID: emu.serviceSid }));
    clis.push(cli);
    return cli.run;
  };

  it("deploys the TypeScript program (examples/basic), refreshes without drift, destroys", async ({
    emu,
  }) => {
    const pulumi = cliIn(emu, app);
    const init = await pulumi("stack", "init", "ts");
    expect(init.status, init.out).toBe(0);
    const up = await pulumi("up", "--yes");
    expect(up.status, up.out).toBe(0);
    expect(up.out).toMatch(/\+ 4 created/);
    const gate = await pulumi("preview", "--refresh", "--expect-no-changes");
    expect(gate.status, gate.out).toBe(0);
    const down = await pulumi("destroy", "--yes");
    expect(down.status, down.out).toBe(0);
    expect(await emu.sessions()).toEqual([]);
  });

  it("deploys a JavaScript program that requires the package, and destroys it", async ({ emu }) => {
    const pulumi = cliIn(emu, path.join(app, "js"));
    const init = await pulumi("stack", "init", "js");
    expect(init.status, init.out).toBe(0);
    const up = await pulumi("up", "--yes");
    expect(up.status, up.out).toBe(0);
    const outputs = JSON.parse((await pulumi("stack", "output", "--json")).out);
    expect(outputs).toEqual({ sid: expect.stringMatching(/^KC[0-9a-f]{32}$/), status: "open" });
    expect(await emu.sessions()).toHaveLength(1);
    const down = await pulumi("destroy", "--yes");
    expect(down.status, down.out).toBe(0);
    expect(await emu.sessions()).toEqual([]);
  });

  it("deploys the README's minimal stack, with its tsconfig, and destroys it", async ({ emu }) => {
    const pulumi = cliIn(emu, writeMinimalStack(app));
    expect((await pulumi("stack", "init", "minimal")).status).toBe(0);
    expect((await pulumi("config", "set", "serviceSid", emu.serviceSid)).status).toBe(0);
    const up = await pulumi("up", "--yes");
    expect(up.status, up.out).toBe(0);
    const outputs = JSON.parse((await pulumi("stack", "output", "--json")).out);
    expect(outputs).toEqual({ sid: expect.stringMatching(/^KC[0-9a-f]{32}$/), status: "open" });
    const down = await pulumi("destroy", "--yes");
    expect(down.status, down.out).toBe(0);
    expect(await emu.sessions()).toEqual([]);
  });
});

/** The README's "A minimal stack" (its program and its tsconfig.json) in `app`/minimal. */
function writeMinimalStack(app: string): string {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf("## A minimal stack");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const block = (lang: string) =>
    section.match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"))![1];
  const dir = path.join(app, "minimal");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "index.ts"), block("ts"));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), block("json"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: minimal\nruntime: nodejs\nmain: index.ts\n",
  );
  return dir;
}

/** Files added to the copy of examples/basic: probes of the entry points, and a JS program. */
const PROJECT_FILES: Record<string, string> = {
  "entry-points.cjs": `
const names = (m) => Object.keys(m).sort();
let deepPath;
try {
  require("pulumi-twilio-proxy/dist/provider/client");
} catch (err) {
  deepPath = err.code;
}
console.log(JSON.stringify({
  root: names(require("pulumi-twilio-proxy")),
  emulator: typeof require("pulumi-twilio-proxy/emulator").startEmulator,
  driftReport: typeof require("pulumi-twilio-proxy/drift-report").main,
  internal: ["ProxySessionProvider", "checkInputs", "diffSession"].filter(
    (n) => typeof require("pulumi-twilio-proxy/internal")[n] === "function"),
  runtime: {
    file: require.resolve("${RUNTIME}"),
    create: typeof require("${RUNTIME}").provider.create,
  },
  version: require("pulumi-twilio-proxy/package.json").version,
  deepPath,
}));
`,
  "entry-points.mjs": `
import { ProxySession, getProxySession, TwilioProxyError } from "pulumi-twilio-proxy";
import { startEmulator } from "pulumi-twilio-proxy/emulator";
import { main } from "pulumi-twilio-proxy/drift-report";
import { ProxySessionProvider } from "pulumi-twilio-proxy/internal";
import runtime from "${RUNTIME}";
console.log(JSON.stringify({
  root: [typeof ProxySession, typeof getProxySession, typeof TwilioProxyError],
  emulator: typeof startEmulator,
  driftReport: typeof main,
  internal: typeof ProxySessionProvider,
  runtime: typeof runtime.provider.create,
}));
`,
  "entry-points.ts": `
import {
  ProxySession,
  TwilioApiError,
  getProxySessionOutput,
  type ProxySessionArgs,
  type ProxySessionState,
} from "pulumi-twilio-proxy";
// @ts-expect-error internals are not part of the root's API
import { ProxySessionProvider as NotApi } from "pulumi-twilio-proxy";
import { startEmulator, type RunningEmulator } from "pulumi-twilio-proxy/emulator";
import { ProxySessionProvider } from "pulumi-twilio-proxy/internal";

export type Used = [
  typeof ProxySession,
  typeof TwilioApiError,
  typeof getProxySessionOutput,
  ProxySessionArgs["ttl"],
  ProxySessionState["status"],
  typeof startEmulator,
  RunningEmulator["baseUrl"],
  typeof ProxySessionProvider,
  typeof NotApi,
];

export async function report(): Promise<0 | 1 | 2> {
  const { main } = await import("pulumi-twilio-proxy/drift-report");
  return main('{"steps": []}', () => {});
}
`,
  "tsconfig.node10.json": JSON.stringify({
    extends: "./tsconfig.json",
    compilerOptions: { noEmit: true, skipLibCheck: true },
    files: ["entry-points.ts"],
  }),
  "tsconfig.node16.json": JSON.stringify({
    extends: "./tsconfig.json",
    compilerOptions: {
      noEmit: true,
      skipLibCheck: true,
      module: "node16",
      moduleResolution: "node16",
    },
    files: ["entry-points.ts"],
  }),
  "js/Pulumi.yaml": `name: proxy-session-js
runtime:
  name: nodejs
  options:
    typescript: false
main: index.js
`,
  "js/index.js": `
const { ProxySession, getProxySessionOutput } = require("pulumi-twilio-proxy");

const serviceSid = process.env.TWILIO_PROXY_SERVICE_SID;
const desk = new ProxySession("desk", { serviceSid, uniqueName: "js-desk", ttl: 600 });

exports.sid = desk.sid;
exports.status = getProxySessionOutput({ serviceSid, sid: desk.sid }).status;
`,
};
