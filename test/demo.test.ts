// `npm run demo`, the README's main job, as a user runs it: every step succeeds, step 4 shows the
// drift made in step 3 and nothing else, and step 6 shows no change mark at all.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/engine";

/** Runs the built demo; its text split by step (`── N. title`). */
function runDemo(): Promise<{ status: number | null; out: string; steps: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "dist/scripts/demo.js")], {
      cwd: repoRoot,
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (status) => resolve({ status, out, steps: out.split(/^── \d+\. /m) }));
  });
}

/** Property names on the CLI's change lines (`~ ttl: 600 => 3600`, `+ dateEnded: …`). */
const changedProperties = (text: string) =>
  [...text.matchAll(/^\s*[~+-] (\w+)\s*: /gm)].map((m) => m[1]);

describe("npm run demo", () => {
  it("shows the drift and only the drift, then converges to nothing to show", async () => {
    const { status, out, steps } = await runDemo();
    expect(status, out).toBe(0);
    const [, , , , drift, converge, settled, destroy] = steps;
    // Step 3 closed support-77 and set trip-1042's ttl: the two updates that put them back.
    expect(drift).toMatch(
      /ProxySession: \(update\)[^]*::support-77\][^]*~ status\s*: "closed" => "open"/,
    );
    expect(drift).toMatch(/ProxySession: \(update\)[^]*::trip-1042\][^]*~ ttl\s*: 600 => 3600/);
    expect(drift.match(/: \(update\)/g)).toHaveLength(2);
    // The refresh's own lines are the live fields that moved with them: nothing else, and no
    // participant reordering or bookkeeping.
    expect(new Set(changedProperties(drift))).toEqual(
      new Set(["status", "ttl", "closedReason", "dateEnded", "dateUpdated"]),
    );
    expect(drift).toMatch(/planned: \{"same":\d+,"update":2\}/);
    expect(converge).toMatch(/UpdateSession ×2/);
    expect(settled).not.toMatch(/~/);
    expect(settled).toMatch(/no changes: \{"same":\d+\}/);
    expect(destroy).toMatch(/sessions left: 0/);
  }, 600_000);
});
