// The scale-out scenario: the same 2,000 sessions as 1 stack, as 4 stacks of 500 and as 8 of 250,
// deployed one stack after another and 2 at a time, on each state backend; the same shapes of the
// engine floor. Each stack's `pulumi up` is a process of its own (stacks-at-once.ts). Between runs
// the emulator is reset and each run gets a fresh, empty backend.
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorProcess } from "../../scripts/lib/emulator-process";
import { runStacksAtOnce, type StacksRun } from "./stacks-at-once";

export const SCALE_OUT = { total: 2000, stacks: [1, 4, 8], atOnce: [1, 2] } as const;

/** A state backend: a fresh, empty one per call (a new folder, a new table). */
export type BackendFactory = (label: string) => Promise<string>;

/** File backends: a new folder per label inside `scratch` (which the caller removes). */
export const fileBackends =
  (scratch: string): BackendFactory =>
  async (label) => {
    const dir = path.join(scratch, label);
    fs.mkdirSync(dir);
    return `file://${dir}`;
  };

export interface ScaleOutRun {
  backend: string;
  kind: "engine" | "floor";
  stacks: number;
  perStack: number;
  atOnce: number;
  wallMs: number;
  /** Summed over the stacks. */
  cliCpuMs: number;
  /** Per stack, the largest of the run's stacks (they differ only by their names). */
  stateBytesPerStack: number;
}

export async function measureScaleOut(
  emu: EmulatorProcess,
  latencyMs: number,
  backends: Record<string, BackendFactory>,
  log: (line: string) => void,
  total: number = SCALE_OUT.total,
): Promise<ScaleOutRun[]> {
  const runs: ScaleOutRun[] = [];
  for (const [backend, fresh] of Object.entries(backends)) {
    for (const stacks of SCALE_OUT.stacks) {
      for (const atOnce of SCALE_OUT.atOnce) {
        if (atOnce > stacks) continue;
        for (const kind of ["engine", "floor"] as const) {
          const label = `${kind === "engine" ? "so" : "fl"}${stacks}x${atOnce}${backend[0]}`;
          await emu.control("POST", "reset");
          await emu.control("POST", "faults", { latencyMs });
          const perStack = total / stacks;
          const run: StacksRun = await runStacksAtOnce(emu, latencyMs, {
            kind,
            stacks,
            perStack,
            atOnce,
            backendUrl: await fresh(label),
            label,
          });
          const r: ScaleOutRun = {
            backend,
            kind,
            stacks,
            perStack,
            atOnce,
            wallMs: run.wallMs,
            cliCpuMs: run.workers.reduce((a, w) => a + w.cliCpuMs, 0),
            stateBytesPerStack: Math.max(...run.workers.map((w) => w.stateBytes)),
          };
          log(
            `  scale-out ${backend} ${kind} ${stacks} × ${perStack}, ${atOnce} at once: ` +
              `${(r.wallMs / 1000).toFixed(1)} s, CLI CPU ${(r.cliCpuMs / 1000).toFixed(1)} s, ` +
              `${r.stateBytesPerStack} B state per stack`,
          );
          runs.push(r);
        }
      }
    }
  }
  return runs;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

export function renderScaleOutTable(runs: ScaleOutRun[]): string {
  const rows = runs.filter((x) => x.kind === "engine");
  const floorOf = (x: ScaleOutRun) =>
    runs.find(
      (f) =>
        f.kind === "floor" &&
        f.backend === x.backend &&
        f.stacks === x.stacks &&
        f.atOnce === x.atOnce,
    );
  const lines = [
    "| backend | stacks × sessions | at once | wall time | floor | engine / floor | CLI CPU (all stacks) | floor CLI CPU | state per stack | floor state per stack |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const x of rows) {
    const f = floorOf(x);
    lines.push(
      `| ${x.backend} | ${x.stacks} × ${x.perStack} | ${x.atOnce} | ${s(x.wallMs)} | ` +
        `${f ? s(f.wallMs) : "–"} | ${f ? `${(x.wallMs / f.wallMs).toFixed(2)}×` : "–"} | ` +
        `${s(x.cliCpuMs)} | ${f ? s(f.cliCpuMs) : "–"} | ${kb(x.stateBytesPerStack)} | ` +
        `${f ? kb(f.stateBytesPerStack) : "–"} |`,
    );
  }
  return lines.join("\n");
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

/** Wall time for all the sessions against sessions per stack (log x), a line per variant. */
export function renderScaleOutChart(r: { total: number; runs: ScaleOutRun[] }): string {
  const W = 760;
  const H = 420;
  const pad = { left: 64, right: 250, top: 36, bottom: 56 };
  const pw = W - pad.left - pad.right;
  const ph = H - pad.top - pad.bottom;
  const xs = [...new Set(r.runs.map((x) => x.perStack))].sort((a, b) => a - b);
  const yMax = Math.ceil(Math.max(...r.runs.map((x) => x.wallMs)) / 1000 / 10) * 10 || 10;
  const lx = (n: number) =>
    xs.length < 2
      ? pad.left + pw / 2
      : pad.left + (Math.log(n / xs[0]) / Math.log(xs.at(-1)! / xs[0])) * pw;
  const ly = (sec: number) => pad.top + ph - (sec / yMax) * ph;
  const variants = [...new Set(r.runs.map((x) => `${x.kind}|${x.backend}|${x.atOnce}`))].sort();
  // A colour per backend and pace; the floor dotted in its engine's colour.
  const colorKeys = [...new Set(variants.map((v) => v.split("|").slice(1).join("|")))];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${pad.left}" y="20" font-size="14">pulumi up of ${r.total} sessions: wall time against sessions per stack</text>`,
    `<line x1="${pad.left}" y1="${pad.top + ph}" x2="${pad.left + pw}" y2="${pad.top + ph}" stroke="black"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + ph}" stroke="black"/>`,
  ];
  for (const n of xs) {
    out.push(
      `<text x="${lx(n)}" y="${pad.top + ph + 18}" text-anchor="middle">${n}</text>`,
      `<line x1="${lx(n)}" y1="${pad.top + ph}" x2="${lx(n)}" y2="${pad.top + ph + 4}" stroke="black"/>`,
    );
  }
  out.push(
    `<text x="${pad.left + pw / 2}" y="${H - 14}" text-anchor="middle">sessions per stack (${r.total} / stacks)</text>`,
  );
  for (let t = 0; t <= 4; t++) {
    const v = (yMax * t) / 4;
    out.push(
      `<text x="${pad.left - 8}" y="${ly(v) + 4}" text-anchor="end">${v.toFixed(0)} s</text>`,
      `<line x1="${pad.left}" y1="${ly(v)}" x2="${pad.left + pw}" y2="${ly(v)}" stroke="#ddd"/>`,
    );
  }
  variants.forEach((v, i) => {
    const [kind, backend, atOnce] = v.split("|");
    const points = r.runs
      .filter((x) => x.kind === kind && x.backend === backend && String(x.atOnce) === atOnce)
      .sort((a, b) => a.perStack - b.perStack)
      .map((x) => `${lx(x.perStack).toFixed(1)},${ly(x.wallMs / 1000).toFixed(1)}`);
    const color = COLORS[colorKeys.indexOf(`${backend}|${atOnce}`) % COLORS.length];
    const dash = kind === "floor" ? ' stroke-dasharray="2 3"' : "";
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.join(" ")}"/>`,
      ...points.map((p) => {
        const [x, y] = p.split(",");
        return `<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`;
      }),
    );
    const ly0 = pad.top + 10 + i * 18;
    out.push(
      `<line x1="${W - pad.right + 16}" y1="${ly0}" x2="${W - pad.right + 40}" y2="${ly0}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${W - pad.right + 46}" y="${ly0 + 4}">${kind}, ${backend}, ${atOnce === "1" ? "one at a time" : `${atOnce} at a time`}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
