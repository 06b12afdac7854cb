// Which Pulumi CLI scripts/ensure-pulumi.sh picks for the demo, the tests and the bench: any 3.x
// of the peer range (3.216 and later, below 4) found on PATH, else its cache of the build from
// Go modules. The real CLI, and stand-ins that report another version (and hand every other
// command to the real CLI), on PATH; a stand-in cache, so that no case ever starts a build.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiRoot, repoRoot } from "./support/engine";

const SCRIPT = path.join(repoRoot, "scripts/ensure-pulumi.sh");
const LANGHOST = "pulumi-language-nodejs";
const SHIM = "pulumi-resource-pulumi-nodejs";

let scratch: string;
let realBin: string;

beforeAll(() => {
  realBin = fs.realpathSync(path.join(pulumiRoot(), "bin"));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ensure-pulumi-"));
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** A directory with a `pulumi` that reports `version` and runs the real CLI for anything else. */
function standIn(dir: string, version: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const cli = path.join(dir, "pulumi");
  fs.writeFileSync(
    cli,
    `#!/bin/sh\n[ "$1" = version ] && { echo ${version}; exit 0; }\nexec "${realBin}/pulumi" "$@"\n`,
  );
  fs.chmodSync(cli, 0o755);
  fs.symlinkSync(path.join(realBin, LANGHOST), path.join(dir, LANGHOST));
  return dir;
}

/** PATH without any directory that holds a `pulumi`, so that only the one a case adds is seen. */
const pathWithoutPulumi = () =>
  (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((d) => d && !fs.existsSync(path.join(d, "pulumi")))
    .join(path.delimiter);

/** Runs ensure-pulumi.sh with `first` (if any) at the head of PATH and a stand-in cache. */
function ensure(first?: string): { dir: string; log: string } {
  const cacheRoot = path.join(scratch, `cache-${Math.random().toString(36).slice(2)}`);
  standIn(path.join(cacheRoot, "v3.248.0/bin"), "v3.248.0");
  const result = spawnSync(SCRIPT, {
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: [first, pathWithoutPulumi()].filter(Boolean).join(path.delimiter),
      PULUMI_OFFLINE_CACHE: cacheRoot,
    },
  });
  expect(result.status, result.stderr).toBe(0);
  const dir = result.stdout.trim().split("\n").at(-1)!;
  expect(fs.existsSync(path.join(dir, SHIM)), `${dir} has the shim`).toBe(true);
  return { dir: dir === path.join(cacheRoot, "v3.248.0/bin") ? "cache" : dir, log: result.stderr };
}

describe("ensure-pulumi.sh picks the Pulumi CLI", () => {
  it("uses the real CLI found on PATH, naming its version", () => {
    const version = spawnSync(path.join(realBin, "pulumi"), ["version"], { encoding: "utf8" });
    const { dir, log } = ensure(realBin);
    expect(dir).toBe(realBin);
    expect(log).toContain(`using pulumi ${version.stdout.trim()} from PATH (${realBin})`);
  });

  it("uses another 3.x of the peer range found on PATH, adding the shim beside it", () => {
    const other = standIn(path.join(scratch, "v3.230.0/bin"), "v3.230.0");
    const { dir, log } = ensure(other);
    expect(dir).toBe(other);
    expect(log).toContain(`using pulumi v3.230.0 from PATH (${other})`);
    // What the tests then run is that CLI.
    const run = spawnSync(path.join(dir, "pulumi"), ["version"], { encoding: "utf8" });
    expect(run.stdout.trim()).toBe("v3.230.0");
  });

  it.each(["v3.100.0", "v4.0.0", "v2.25.2"])(
    "refuses %s on PATH, by name, and falls back to the build from Go modules",
    (version) => {
      const refused = standIn(path.join(scratch, `${version}/bin`), version);
      const { dir, log } = ensure(refused);
      expect(dir).toBe("cache");
      expect(log).toContain(`not using pulumi ${version} from PATH (${refused})`);
      expect(log).toContain("using cached pulumi v3.248.0");
    },
  );

  it("refuses a CLI of the range without a Node.js language host", () => {
    const bare = standIn(path.join(scratch, "bare/bin"), "v3.240.0");
    fs.rmSync(path.join(bare, LANGHOST));
    const { dir, log } = ensure(bare);
    expect(dir).toBe("cache");
    expect(log).toContain(`not using pulumi v3.240.0 from PATH (${bare}): no ${LANGHOST}`);
  });

  it("falls back to the build from Go modules when PATH has no pulumi", () => {
    expect(ensure().dir).toBe("cache");
  });
});
