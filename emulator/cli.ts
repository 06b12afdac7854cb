#!/usr/bin/env node
import type { FaultConfig } from "./faults";
import { validateFaultConfig } from "./faults";
import { startEmulator, type EmulatorOptions } from "./index";
import { checkReadingIds, READINGS, type ReadingId } from "./readings";

export const USAGE = `Usage: twilio-proxy-emulator [options]

  --port N            port to listen on (default 4010; 0 = any free port)
  --host H            address to bind (default 127.0.0.1)
  --seed N            fault PRNG seed (default 1)
  --rate-429 R        fraction of requests answered 429/20429 (0..1)
  --retry-after S     Retry-After seconds on injected 429s (default 1; sent only
                      with --alternative retryAfter)
  --rate-500 R        fraction answered 500
  --rate-503 R        fraction answered 503
  --reset-before R    fraction whose socket is destroyed before the request is applied
  --reset-after R     fraction applied, then the socket destroyed without an answer
  --hang-rate R       fraction never answered
  --latency-ms N      delay added to every Twilio-route response
  --fault-methods L   comma-separated HTTP methods faults apply to (default: all)
  --max-concurrent K  answer 429/20429 to requests arriving while K are in flight
  --alternative IDS   comma-separated readings to switch to their alternative (repeatable);
                      known: ${READINGS.map((r) => r.id).join(", ")}
  --help              show this help
`;

const FAULT_FLAGS: Record<string, keyof FaultConfig> = {
  "--seed": "seed",
  "--rate-429": "rate429",
  "--retry-after": "retryAfterSeconds",
  "--rate-500": "rate500",
  "--rate-503": "rate503",
  "--reset-before": "resetBeforeRate",
  "--reset-after": "resetAfterRate",
  "--hang-rate": "hangRate",
  "--latency-ms": "latencyMs",
  "--max-concurrent": "maxConcurrent",
};

export type CliArgs =
  | { help: true }
  | {
      help: false;
      options: Required<Pick<EmulatorOptions, "host" | "port" | "alternatives">> & {
        faults: FaultConfig;
      };
    };

/** Accepts `--flag value` and `--flag=value`; throws with a readable message on bad input. */
export function parseCliArgs(argv: string[]): CliArgs {
  let host = "127.0.0.1";
  let port = 4010;
  const faults: Record<string, unknown> = {};
  const alternatives: ReadingId[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return { help: true };
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const take = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (v: string): number => {
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n))
        throw new Error(`${flag}: '${v}' is not a number`);
      return n;
    };
    if (flag === "--port") {
      port = num(take());
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`--port: must be an integer between 0 and 65535`);
      }
    } else if (flag === "--host") {
      host = take();
    } else if (flag === "--fault-methods") {
      faults.methods = take()
        .split(",")
        .map((m) => m.trim())
        .filter(Boolean);
    } else if (flag === "--alternative") {
      const ids = take()
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean);
      alternatives.push(...checkReadingIds(ids).filter((id) => !alternatives.includes(id)));
    } else if (FAULT_FLAGS[flag]) {
      faults[FAULT_FLAGS[flag]] = num(take());
    } else {
      throw new Error(`unknown option '${arg}'`);
    }
  }
  try {
    const validFaults = validateFaultConfig(faults);
    return { help: false, options: { host, port, alternatives, faults: validFaults } };
  } catch (err) {
    throw new Error(`invalid fault options: ${(err as Error).message}`, { cause: err });
  }
}

async function main(): Promise<void> {
  let parsed: CliArgs;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`twilio-proxy-emulator: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const emu = await startEmulator(parsed.options);
  // The first four lines are machine-read (`eval`-able / dotenv style); keep them exact.
  process.stdout.write(
    [
      `TWILIO_PROXY_BASE_URL=${emu.baseUrl}`,
      `TWILIO_ACCOUNT_SID=${emu.accountSid}`,
      `TWILIO_AUTH_TOKEN=${emu.authToken}`,
      `TWILIO_PROXY_SERVICE_SID=${emu.serviceSid}`,
      `Twilio Proxy emulator listening on ${emu.baseUrl} (control API at ${emu.baseUrl}/__emulator/)`,
      "",
    ].join("\n"),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`twilio-proxy-emulator: ${(err as Error).message ?? String(err)}\n`);
    process.exit(1);
  });
}
