// Samples the processes of one Pulumi operation started by this process: the dynamic provider
// (its command line contains `@pulumi/pulumi/cmd/dynamic-provider`) and the `pulumi` CLI.
// Linux only (/proc); elsewhere it reports nothing.
import * as fs from "node:fs";

const MARKER = "@pulumi/pulumi/cmd/dynamic-provider";
/** The shell shim that starts it; its forks carry its command line until they exec node. */
const SHIM = "pulumi-resource-pulumi-nodejs";
/** /proc/<pid>/stat counts CPU time in clock ticks; Linux uses 100 per second. */
const TICK_MS = 10;

export interface ProcessSample {
  /** Processes seen during the operation. */
  processes: number;
  /** Highest VmHWM (peak resident set) of any of them, in KiB; null when none was seen. */
  peakRssKiB: number | null;
  /** CPU time (user + system) of all of them at their last sample, in ms. */
  cpuMs: number;
  /** When the first one was first seen, in ms after the monitor started. */
  firstSeenMs: number | null;
}

export interface OperationSample {
  provider: ProcessSample;
  cli: ProcessSample;
  /**
   * TCP connections to `watchPort` seen (distinct client ports in /proc/net/tcp, sampled at every
   * tick): how many connections the operation opened. Null when no port was watched.
   */
  connections: number | null;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The provider is `node …/@pulumi/pulumi/cmd/dynamic-provider/index.js …`; the shim's
 * `node -e "…require.resolve('@pulumi/pulumi/cmd/dynamic-provider')…"` that finds it is not.
 */
function isProvider(cmdline: string): boolean {
  return cmdline.split("\0").some((arg) => arg.includes(MARKER) && !arg.includes("require."));
}

/** The operation's `pulumi` process, not the `pulumi stack …` calls the Automation API adds. */
function isCli(cmdline: string): boolean {
  const [bin, verb] = cmdline.split("\0");
  return /(^|\/)pulumi$/.test(bin) && verb !== "stack";
}

/** The parent pid, from /proc/<pid>/status. */
function parentOf(pid: number): number | undefined {
  const m = /^PPid:\s+(\d+)/m.exec(readText(`/proc/${pid}/status`) ?? "");
  return m ? Number(m[1]) : undefined;
}

/** Whether `pid` descends from `ancestor` (other people's Pulumi runs on the machine do not). */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (
    let p: number | undefined = pid, depth = 0;
    p !== undefined && p > 1 && depth < 32;
    depth++
  ) {
    if (p === ancestor) return true;
    p = parentOf(p);
  }
  return false;
}

/** VmHWM (or VmRSS when the kernel has no VmHWM) of a process, in KiB. */
function peakKiB(pid: number): number | undefined {
  const status = readText(`/proc/${pid}/status`);
  if (!status) return undefined;
  const m = /^VmHWM:\s+(\d+) kB/m.exec(status) ?? /^VmRSS:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name may contain spaces: fields start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Client ports of the open (or opening) IPv4 connections to local port `port`. */
function clientPorts(port: number, into: Set<number>) {
  const table = readText("/proc/net/tcp");
  if (!table) return;
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of table.split("\n").slice(1)) {
    // sl local_address rem_address st …, addresses as HEXIP:HEXPORT
    const [, local, remote, state] = line.trim().split(/\s+/);
    // 01 ESTABLISHED, 02 SYN_SENT; not the TIME_WAIT left by earlier operations.
    if (remote?.endsWith(`:${hex}`) && (state === "01" || state === "02")) {
      into.add(parseInt(local.split(":")[1], 16));
    }
  }
}

class Tracked {
  readonly peaks = new Map<number, number>();
  readonly cpu = new Map<number, number>();
  firstSeenMs: number | null = null;

  add(pid: number, at: number) {
    this.peaks.set(pid, 0);
    this.cpu.set(pid, 0);
    this.firstSeenMs ??= at;
  }

  sample() {
    for (const pid of this.peaks.keys()) {
      const kib = peakKiB(pid);
      if (kib !== undefined) this.peaks.set(pid, Math.max(this.peaks.get(pid)!, kib));
      const ms = cpuMs(pid);
      if (ms !== undefined) this.cpu.set(pid, ms);
    }
  }

  result(): ProcessSample {
    const peaks = [...this.peaks.values()].filter((k) => k > 0);
    return {
      processes: this.peaks.size,
      peakRssKiB: peaks.length ? Math.max(...peaks) : null,
      cpuMs: [...this.cpu.values()].reduce((a, b) => a + b, 0),
      firstSeenMs: this.firstSeenMs,
    };
  }
}

/**
 * Samples the processes found every `intervalMs` until stop() is called, and looks for new ones
 * every `scanEveryTicks` samples (listing /proc is most of the cost: ~4% of a core every 50 ms).
 */
export function monitorOperation(
  watchPort?: number,
  intervalMs = 50,
  scanEveryTicks = 4,
): { stop(): OperationSample } {
  const started = performance.now();
  const checked = new Set<number>();
  const provider = new Tracked();
  const cli = new Tracked();
  const supported = fs.existsSync("/proc/self/stat");
  const ports = new Set<number>();
  // Connections already open (the driver's own keep-alive to the control API) are not counted.
  const before = new Set<number>();
  if (supported && watchPort !== undefined) clientPorts(watchPort, before);

  let ticks = 0;
  const scan = () => {
    let pids: number[];
    try {
      pids = fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .map(Number);
    } catch {
      return;
    }
    for (const pid of pids) {
      if (checked.has(pid) || provider.peaks.has(pid) || cli.peaks.has(pid)) continue;
      const cmdline = readText(`/proc/${pid}/cmdline`) ?? "";
      const kind = isProvider(cmdline) ? provider : isCli(cmdline) ? cli : undefined;
      if (kind) {
        if (descendsFrom(pid, process.pid)) kind.add(pid, performance.now() - started);
        else checked.add(pid);
      } else if (!cmdline.includes(SHIM)) {
        // Neither (kernel threads have an empty command line): only a fork of the shim, which
        // carries the shim's command line until it execs node, may still become a provider.
        checked.add(pid);
      }
    }
  };
  const tick = (force = false) => {
    if (force || ticks++ % scanEveryTicks === 0) scan();
    provider.sample();
    cli.sample();
    if (watchPort !== undefined) clientPorts(watchPort, ports);
  };
  const timer = supported ? setInterval(tick, intervalMs) : undefined;
  if (supported) tick(true);
  return {
    stop() {
      if (timer) clearInterval(timer);
      if (supported) tick(true);
      return {
        provider: provider.result(),
        cli: cli.result(),
        connections:
          watchPort === undefined || !supported
            ? null
            : [...ports].filter((p) => !before.has(p)).length,
      };
    },
  };
}

/** The load average (1, 5, 15 min) as Linux writes it; other work on the machine counts. */
export const loadAverage = () =>
  fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/**
 * Other work on the machine: processes outside this one's tree that used more than `minShare`
 * of a core over `windowMs`, as "command (NN% of a core)". A benchmark says what ran beside it.
 */
export async function otherBusyProcesses(windowMs = 3000, minShare = 0.05): Promise<string[]> {
  if (!fs.existsSync("/proc/self/stat")) return [];
  const pids = () =>
    fs
      .readdirSync("/proc")
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .filter((pid) => !descendsFrom(pid, process.pid));
  const before = new Map(pids().map((pid) => [pid, cpuMs(pid)]));
  await new Promise((r) => setTimeout(r, windowMs));
  const busy: string[] = [];
  for (const [pid, start] of before) {
    const end = cpuMs(pid);
    if (start === undefined || end === undefined) continue;
    const share = (end - start) / windowMs;
    if (share < minShare) continue;
    const cmd = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0").filter(Boolean);
    busy.push(`${cmd.slice(0, 3).join(" ").slice(0, 80)} (${Math.round(share * 100)}% of a core)`);
  }
  return busy;
}
