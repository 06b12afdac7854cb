// The SVG chart of BENCHMARKS.md: wall time against N, both on log scales, one colour per
// operation; engine solid, floor dotted, baseline dashed. Hand-written, no dependencies.
import { BASELINE_OF, BENCH_COMMANDS, type BenchCommand } from "./measure";
import { nonNull, type BenchResults, type SizeSummary } from "./summary";

const COLORS: Record<BenchCommand, string> = {
  create: "#1f77b4",
  preview: "#7f7f7f",
  "preview-refresh": "#2ca02c",
  update: "#ff7f0e",
  destroy: "#d62728",
};

const LABELS: Record<BenchCommand, string> = {
  create: "pulumi up (create)",
  preview: "pulumi preview",
  "preview-refresh": "pulumi preview --refresh",
  update: "pulumi up (ttl changed)",
  destroy: "pulumi destroy",
};

type Series = "engine" | "floor" | "baseline";
const DASHES: Record<Series, string> = {
  engine: "",
  floor: ' stroke-dasharray="2 3"',
  baseline: ' stroke-dasharray="6 4"',
};
const pick: Record<Series, (s: SizeSummary, op: BenchCommand) => number | null> = {
  engine: (s, op) => s.ops[op].engine.median,
  floor: (s, op) => s.ops[op].floor.median,
  baseline: (s, op) => (BASELINE_OF[op] ? (s.ops[op].baseline?.median ?? null) : null),
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(r: BenchResults): string {
  const W = 800;
  const H = 480;
  const pad = { left: 70, right: 230, top: 40, bottom: 56 };
  const pw = W - pad.left - pad.right;
  const ph = H - pad.top - pad.bottom;
  const ns = r.summary.map((s) => s.n);
  const values = r.summary.flatMap((s) =>
    BENCH_COMMANDS.flatMap((op) =>
      nonNull((Object.keys(pick) as Series[]).map((k) => pick[k](s, op))).map((ms) => ms / 1000),
    ),
  );
  const decade = (v: number, up: boolean) =>
    10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));
  const yMin = decade(Math.min(...values.filter((v) => v > 0)), false);
  const yMax = decade(Math.max(...values), true);
  const xMin = Math.min(...ns);
  const xMax = Math.max(...ns);
  const lx = (n: number) =>
    xMax === xMin
      ? pad.left + pw / 2
      : pad.left + (Math.log10(n / xMin) / Math.log10(xMax / xMin)) * pw;
  const ly = (s: number) => pad.top + ph - (Math.log10(s / yMin) / Math.log10(yMax / yMin)) * ph;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${pad.left}" y="22" font-size="14" font-weight="bold">${esc(`ProxySession: wall time against N (${r.latencyMs} ms per request, parallelism ${r.parallel.baselineWorkers})`)}</text>`,
  );
  // Grid and axes.
  for (let y = yMin; y <= yMax * 1.0001; y *= 10) {
    for (const k of [1, 2, 5]) {
      const v = y * k;
      if (v > yMax * 1.0001) break;
      const py = ly(v);
      parts.push(
        `<line x1="${pad.left}" x2="${pad.left + pw}" y1="${f(py)}" y2="${f(py)}" stroke="${k === 1 ? "#cccccc" : "#eeeeee"}"/>`,
        `<text x="${pad.left - 8}" y="${f(py + 4)}" text-anchor="end" fill="#333">${v >= 1 ? v : v.toPrecision(1)} s</text>`,
      );
    }
  }
  for (const n of ns) {
    const px = lx(n);
    parts.push(
      `<line x1="${f(px)}" x2="${f(px)}" y1="${pad.top}" y2="${pad.top + ph}" stroke="#eeeeee"/>`,
      `<text x="${f(px)}" y="${pad.top + ph + 18}" text-anchor="middle" fill="#333">${n}</text>`,
    );
  }
  parts.push(
    `<rect x="${pad.left}" y="${pad.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${pad.left + pw / 2}" y="${H - 14}" text-anchor="middle">sessions in the stack (N, log scale)</text>`,
    `<text transform="translate(18 ${pad.top + ph / 2}) rotate(-90)" text-anchor="middle">wall time (log scale)</text>`,
  );
  // Series.
  for (const op of BENCH_COMMANDS) {
    for (const series of Object.keys(pick) as Series[]) {
      const pts = nonNull(
        r.summary.map((s) => {
          const v = pick[series](s, op);
          return v === null || v <= 0 ? null : ([lx(s.n), ly(v / 1000)] as const);
        }),
      );
      if (!pts.length) continue;
      const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${f(x)} ${f(y)}`).join(" ");
      const fill = series === "engine" ? COLORS[op] : "#ffffff";
      parts.push(
        `<path d="${d}" fill="none" stroke="${COLORS[op]}" stroke-width="2"${DASHES[series]}/>`,
        ...pts.map(
          ([x, y]) =>
            `<circle cx="${f(x)}" cy="${f(y)}" r="3" fill="${fill}" stroke="${COLORS[op]}" stroke-width="1.5"/>`,
        ),
      );
    }
  }
  // Legend.
  const lgx = pad.left + pw + 16;
  let lgy = pad.top + 8;
  for (const op of BENCH_COMMANDS) {
    parts.push(
      `<line x1="${lgx}" x2="${lgx + 28}" y1="${lgy}" y2="${lgy}" stroke="${COLORS[op]}" stroke-width="2"/>`,
      `<text x="${lgx + 36}" y="${lgy + 4}">${esc(LABELS[op])}</text>`,
    );
    lgy += 20;
  }
  lgy += 10;
  const legend: Array<[Series, string]> = [
    ["engine", "engine: ProxySession (solid)"],
    ["floor", "floor: no-op resource (dotted)"],
    ["baseline", "baseline script (dashed)"],
  ];
  for (const [series, text] of legend) {
    parts.push(
      `<line x1="${lgx}" x2="${lgx + 28}" y1="${lgy}" y2="${lgy}" stroke="#333" stroke-width="2"${DASHES[series]}/>`,
      `<text x="${lgx + 36}" y="${lgy + 4}">${esc(text)}</text>`,
    );
    lgy += 20;
  }
  parts.push(
    `<text x="${lgx}" y="${lgy + 10}" fill="#555">preview makes no HTTP call:</text>`,
    `<text x="${lgx}" y="${lgy + 26}" fill="#555">no baseline. The baselines of</text>`,
    `<text x="${lgx}" y="${lgy + 42}" fill="#555">the others nearly coincide.</text>`,
    `<text x="${lgx}" y="${lgy + 68}" fill="#555">${esc(`${r.machine.cores} cores, ${r.machine.pulumi}`)}</text>`,
    `<text x="${lgx}" y="${lgy + 84}" fill="#555">${esc(`medians of ${r.runsPerSize} run(s)`)}</text>`,
    `</svg>`,
  );
  return parts.join("\n") + "\n";
}
