// The package as users get it: `npm pack`, then installed into a new project outside this
// repository. The install is offline (`npm ci --offline`): the project's lockfile is cut from
// this repository's, so it gets the versions the tests run with, every tarball from the npm
// cache that this repository's own `npm ci` filled.
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./engine";

const PACKAGE = "pulumi-twilio-proxy";

/** One package of a lockfile (v3), at its path under node_modules. */
interface LockEntry {
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** `npm pack` of the built package (`npm run build` first) into `dir`; returns the tarball's path. */
export function packPackage(dir: string): string {
  const out = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", dir],
    { cwd: repoRoot, encoding: "utf8" },
  );
  return path.join(dir, (JSON.parse(out) as Array<{ filename: string }>)[0].filename);
}

/** The files a tarball holds, relative to its `package/` folder. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
}

/**
 * Installs the project in `dir` (its package.json depends on this package) with the tarball as
 * that dependency: `npm ci --offline` against a lockfile built from this repository's.
 */
export function installPacked(dir: string, tarball: string): void {
  const manifestFile = path.join(dir, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
  const spec = `file:${path.relative(dir, tarball)}`;
  manifest.dependencies[PACKAGE] = spec;
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

  const packed = JSON.parse(
    execFileSync("tar", ["-xOzf", tarball, "package/package.json"], { encoding: "utf8" }),
  );
  const ours: LockEntry = {
    version: packed.version,
    resolved: spec,
    integrity: `sha512-${crypto.createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`,
    license: packed.license,
    dependencies: packed.dependencies,
    peerDependencies: packed.peerDependencies,
    bin: packed.bin,
    engines: packed.engines,
  };
  const repoLock = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8"));
  const packages = lockClosure(repoLock.packages, [
    ...Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }),
    ...Object.keys({ ...packed.dependencies, ...packed.peerDependencies }),
  ]);
  packages[`node_modules/${PACKAGE}`] = ours;
  const lock = {
    name: manifest.name,
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": {
        name: manifest.name,
        dependencies: manifest.dependencies,
        devDependencies: manifest.devDependencies,
      },
      ...packages,
    },
  };
  fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock, null, 2));
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund"], { cwd: dir, stdio: "pipe" });
}

/**
 * The lock entries that installing `names` at the top level needs, found as Node resolves
 * modules: a package's own node_modules first, then its ancestors'. Flags saying how this
 * repository used them (dev, peer) are dropped: the new project's use differs.
 */
function lockClosure(all: Record<string, LockEntry>, names: string[]): Record<string, LockEntry> {
  const picked: Record<string, LockEntry> = {};
  const resolve = (from: string, name: string) => {
    for (let base = from; ;) {
      const at = `${base ? `${base}/` : ""}node_modules/${name}`;
      const entry = all[at];
      if (entry && !entry.link) return add(at, entry);
      if (!base) return; // not in the lock: an optional dependency that was not installed
      const parent = base.lastIndexOf("/node_modules/");
      base = parent < 0 ? "" : base.slice(0, parent);
    }
  };
  const add = (at: string, entry: LockEntry) => {
    if (picked[at]) return;
    const kept = { ...entry };
    for (const flag of ["dev", "devOptional", "peer"]) delete kept[flag];
    picked[at] = kept;
    const deps = {
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...entry.peerDependencies,
    };
    for (const name of Object.keys(deps)) resolve(at, name);
  };
  for (const name of names) if (name !== PACKAGE) resolve("", name);
  return picked;
}
