// `__provider` is written into state for every resource and run by refresh and destroy.
// It must stay small, carry no credentials, not change when the implementation does, and
// load the implementation wherever the stack is run from.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
// The built package, loaded by Node itself: the text must be what users' programs store.
const load = createRequire(__filename);

/** What ProxySession stores as `__provider`, from a build of the package. */
const providerText = (stubFile: string) =>
  (load(stubFile) as { providerModule: string }).providerModule;

const text = providerText(path.join(root, "dist/provider/stub.js"));

/**
 * Runs the text the way the engine's provider process does, from `cwd`: getProvider() loads it
 * and calls handler() inside each RPC's error handling, so a failure there fails the RPC.
 */
function runInProviderProcess(cwd: string, method: string, args: unknown[]): unknown {
  const file = path.join(os.tmpdir(), `provider-${process.pid}-${Date.now()}.txt`);
  fs.writeFileSync(file, text);
  const script = `
    const rfs = require(${JSON.stringify(path.join(root, "node_modules/require-from-string"))});
    Promise.resolve()
      .then(() => rfs(require("fs").readFileSync(${JSON.stringify(file)}, "utf8")).handler())
      .then((p) => p[${JSON.stringify(method)}](...${JSON.stringify(args)}))
      .then((r) => console.log(JSON.stringify({ ok: r })))
      .catch((e) => console.log(JSON.stringify({ error: e.message, code: e.code })));`;
  try {
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd, encoding: "utf8" }));
  } finally {
    fs.rmSync(file);
  }
}

describe("the serialized provider (__provider)", () => {
  // The one pin: the exact text. It is 81 bytes, holds no implementation, no path and no
  // credential, only the line that loads the implementation from the installed package.
  it("is the text every release stores: changing it changes every session's state", () => {
    expect(text).toBe(
      "exports.handler=()=>require('pulumi-twilio-proxy/dist/provider/runtime').provider",
    );
  });

  it("is byte-identical when the implementation changes", () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "impl-changed-"));
    fs.cpSync(path.join(root, "dist/provider"), copy, { recursive: true });
    fs.appendFileSync(
      path.join(copy, "provider.js"),
      "\nexports.changed = () => 'a new implementation';\n",
    );
    fs.appendFileSync(path.join(copy, "diff.js"), "\nexports.alsoChanged = 42;\n");
    expect(providerText(path.join(copy, "stub.js"))).toBe(text);
  });

  it("loads the implementation inside this repository, from a project directory below it", () => {
    const out = runInProviderProcess(path.join(root, "examples"), "check", [
      {},
      { serviceSid: "KS1", ttl: -5 },
    ]);
    expect(out).toMatchObject({
      ok: { failures: expect.arrayContaining([expect.objectContaining({ property: "ttl" })]) },
    });
  });

  it("loads the implementation from a project that installed the package", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "user-project-"));
    fs.mkdirSync(path.join(project, "node_modules"));
    fs.symlinkSync(root, path.join(project, "node_modules/pulumi-twilio-proxy"));
    const out = runInProviderProcess(project, "check", [{}, { serviceSid: "KS1" }]);
    expect(out).toMatchObject({
      ok: { failures: [expect.objectContaining({ property: "serviceSid" })] },
    });
  });

  it("fails with MODULE_NOT_FOUND, naming the package, where the package is not installed", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "no-package-"));
    const out = runInProviderProcess(project, "check", [{}, {}]);
    expect(out).toMatchObject({
      code: "MODULE_NOT_FOUND",
      error: expect.stringMatching(
        /^Cannot find module 'pulumi-twilio-proxy\/dist\/provider\/runtime'/,
      ),
    });
  });
});
