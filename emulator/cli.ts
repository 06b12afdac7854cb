#!/usr/bin/env node
import type { FaultConfig } from "./faults";
import { validateFaultConfig } from "./faults";
import { startEmulator, type EmulatorOptions } from "./index";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { checkReadingIds, READINGS } from "./readings";
import { readingsFromFile, type ReadingsFromRun } from "./readings-from";

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
  --readings-from FILE
                      set every reading from the --json of a conformance run
                      (npm run conformance): the emulator behaves as that account did;
                      readings the run did not observe stay at the default
  --help              show this help
`;

/** The numeric fault options, by flag name, and the FaultConfig field each sets. */
const FAULT_FLAGS: Record<string, keyof FaultConfig> = {
  seed: "seed",
  "rate-429": "rate429",
  "retry-after": "retryAfterSeconds",
  "rate-500": "rate500",
  "rate-503": "rate503",
  "reset-before": "resetBeforeRate",
  "reset-after": "resetAfterRate",
  "hang-rate": "hangRate",
  "latency-ms": "latencyMs",
  "max-concurrent": "maxConcurrent",
};

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "fault-methods": { type: "string" },
  alternative: { type: "string", multiple: true },
  "readings-from": { type: "string" },
  help: { type: "boolean", short: "h" },
  ...Object.fromEntries(Object.keys(FAULT_FLAGS).map((flag) => [flag, { type: "string" }])),
} satisfies ParseArgsConfig["options"];

export type CliArgs =
  | { help: true }
  | {
      help: false;
      options: Required<Pick<EmulatorOptions, "host" | "port" | "alternatives">> & {
        faults: FaultConfig;
      };
      /** What --readings-from FILE set (its alternatives are in options.alternatives). */
      readingsFrom?: { file: string } & ReadingsFromRun;
    };

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

function number(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) {
    throw new Error(`--${flag}: '${text}' is not a number`);
  }
  return n;
}

/**
 * `node:util` parseArgs in strict mode: `--flag value` and `--flag=value`; an unknown option or
 * a missing value is an error, as are out-of-range values (checked by validateFaultConfig).
 */
export function parseCliArgs(argv: string[]): CliArgs {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.help) return { help: true };
  const port = values.port === undefined ? 4010 : number("port", values.port as string);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: must be an integer between 0 and 65535`);
  }
  const faults: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(FAULT_FLAGS)) {
    const text = (values as Record<string, unknown>)[flag];
    if (typeof text === "string") faults[field] = number(flag, text);
  }
  if (values["fault-methods"] !== undefined) faults.methods = list(values["fault-methods"]);
  let alternatives = [...new Set(checkReadingIds((values.alternative ?? []).flatMap(list)))];
  let readingsFrom: ({ file: string } & ReadingsFromRun) | undefined;
  const file = values["readings-from"];
  if (file !== undefined) {
    if (alternatives.length > 0) throw new Error("give --alternative or --readings-from, not both");
    readingsFrom = { file, ...readingsFromFile(file) };
    alternatives = readingsFrom.alternatives;
  }
  try {
    const validFaults = validateFaultConfig(faults);
    return {
      help: false,
      options: { host: values.host ?? "127.0.0.1", port, alternatives, faults: validFaults },
      ...(readingsFrom && { readingsFrom }),
    };
  } catch (err) {
    throw new Error(`invalid fault options: ${(err as Error).message}`, { cause: err });
  }
}

/** One line: which readings --readings-from set, and which it left at the default unseen. */
function describeReadingsFrom(r: { file: string } & ReadingsFromRun): string {
  const names = (ids: readonly string[]) => (ids.length ? ids.join(", ") : "none");
  return (
    `Readings from ${r.file}: alternative: ${names(r.alternatives)}; default: ${names(r.defaults)}; ` +
    `not observed there, so default: ${names(r.unobserved)}`
  );
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
      ...(parsed.readingsFrom ? [describeReadingsFrom(parsed.readingsFrom)] : []),
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
