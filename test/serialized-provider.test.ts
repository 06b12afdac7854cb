// `__provider` is written into state for every resource and run by refresh and destroy.
// It must stay small, carry no credentials, not change when the implementation does, and
// load the implementation wherever the stack is run from.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
// The built package, loaded by Node itself: the text must be what users' programs serialize.
const load = createRequire(__filename);
const pulumi = load(
  path.join(root, "node_modules/@pulumi/pulumi"),
) as typeof import("@pulumi/pulumi");

async function serialize(stubFile: string): Promise<string> {
  const { providerStub } = load(stubFile);
  // The same call pulumi.dynamic.Resource makes.
  const sf = await pulumi.runtime.serializeFunction(() => providerStub, { allowSecrets: true });
  return sf.text;
}

let text: string;
beforeAll(async () => {
  text = await serialize(path.join(root, "dist/provider/stub.js"));
});

/** Runs the serialized text the way the engine's provider process does, from `cwd`. */
function runInProviderProcess(cwd: string, method: string, args: unknown[]): unknown {
  const file = path.join(os.tmpdir(), `provider-${process.pid}-${Date.now()}.txt`);
  fs.writeFileSync(file, text);
  const script = `
    const rfs = require(${JSON.stringify(path.join(root, "node_modules/require-from-string"))});
    const p = rfs(require("fs").readFileSync(${JSON.stringify(file)}, "utf8")).handler();
    Promise.resolve()
      .then(() => p[${JSON.stringify(method)}](...${JSON.stringify(args)}))
      .then((r) => console.log(JSON.stringify({ ok: r })))
      .catch((e) => console.log(JSON.stringify({ error: e.message, code: e.code })));`;
  try {
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd, encoding: "utf8" }));
  } finally {
    fs.rmSync(file);
  }
}

describe("the serialized provider (__provider)", () => {
  it("stays under 4 KB", () => {
    expect(Buffer.byteLength(text)).toBeLessThan(4096);
  });

  it("holds no implementation, only the code that loads it", () => {
    for (const impl of [
      "axios",
      "TwilioProxyClient",
      "diffSession",
      "checkInputs",
      "Participants",
    ]) {
      expect(text).not.toContain(impl);
    }
    expect(text).toContain('require("pulumi-twilio-proxy/dist/provider/runtime")');
  });

  it("is byte-identical when the implementation changes", async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "impl-changed-"));
    fs.cpSync(path.join(root, "dist/provider"), copy, { recursive: true });
    fs.appendFileSync(
      path.join(copy, "provider.js"),
      "\nexports.changed = () => 'a new implementation';\n",
    );
    fs.appendFileSync(path.join(copy, "diff.js"), "\nexports.alsoChanged = 42;\n");
    expect(await serialize(path.join(copy, "stub.js"))).toBe(text);
  });

  it("bakes in no absolute path of this checkout", () => {
    expect(text).not.toContain(root);
    expect(text).not.toContain(os.homedir());
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

  it("fails with MODULE_NOT_FOUND where the package is not installed", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "no-package-"));
    const out = runInProviderProcess(project, "check", [{}, {}]);
    expect(out).toMatchObject({
      code: "MODULE_NOT_FOUND",
      error: expect.stringMatching(/^pulumi-twilio-proxy is not installed for .*: run npm install/),
    });
  });
});
