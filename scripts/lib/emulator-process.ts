// The emulator as a separate process (its CLI), as users run it, so that its event loop shares
// nothing with the script that drives it (which also hosts the inline Pulumi program).
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import type {
  ControlRequestLogResponse,
  ControlRequestsResponse,
  RequestLogEntry,
} from "../../emulator";
import { repoRoot } from "./local-stack";

export interface EmulatorProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  accountSid: string;
  authToken: string;
  serviceSid: string;
  control<T>(method: string, route: string, body?: unknown): Promise<T>;
  /** Zeroes the per-operation counters and empties the request log. */
  resetRequests(): Promise<void>;
  requests(): Promise<ControlRequestsResponse>;
  log(): Promise<RequestLogEntry[]>;
  stop(): Promise<void>;
}

/** Starts `node dist/emulator/cli.js --port 0 [args]` and reads the settings it prints. */
export async function startEmulatorProcess(args: string[] = []): Promise<EmulatorProcess> {
  const cli = path.join(repoRoot, "dist/emulator/cli.js");
  const child = spawn(process.execPath, [cli, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const settings: Record<string, string> = {};
  for await (const line of readline.createInterface({ input: child.stdout! })) {
    const m = /^(TWILIO_[A-Z_]+)=(.*)$/.exec(line);
    if (m) settings[m[1]] = m[2];
    if (settings.TWILIO_PROXY_SERVICE_SID) break;
  }
  const baseUrl = settings.TWILIO_PROXY_BASE_URL;
  if (!baseUrl) throw new Error("the emulator did not print its settings");
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout!.resume();
  const control = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}/__emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator control ${method} ${route}: HTTP ${res.status}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    child,
    baseUrl,
    port: Number(new URL(baseUrl).port),
    accountSid: settings.TWILIO_ACCOUNT_SID,
    authToken: settings.TWILIO_AUTH_TOKEN,
    serviceSid: settings.TWILIO_PROXY_SERVICE_SID,
    control,
    resetRequests: () => control("POST", "requests/reset"),
    requests: () => control<ControlRequestsResponse>("GET", "requests"),
    log: async () => (await control<ControlRequestLogResponse>("GET", "requests/log")).requests,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
