// `npm run conformance`: finds out, on a real Twilio Proxy Service, which reading Twilio takes
// for each behaviour the emulator had to guess (emulator/README.md), with a few requests per
// behaviour on sessions of its own, which it deletes. Prints a table; `--json FILE` writes it
// for a bug report. Exit status: 0 the emulator can reproduce everything observed, 1 it cannot
// (see the rows marked "neither"), 2 the run itself failed (credentials, network, Ctrl-C).
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { MISSING_CREDENTIALS, resolveSettings, twilioBaseUrl } from "../provider/config";
import { CreatedSessions } from "./created-sessions";
import { rehearse } from "./dry-run";
import { TEST_NUMBERS } from "./probe";
import { redact, renderDisagreements, renderTable, renderVerdict, toJson } from "./report";
import { exitStatus, newRunPrefix, runConformance, totalBudget } from "./run";
import { Transport, type Target } from "./transport";

const USAGE = `Usage: npm run conformance -- [--json FILE] [--dry-run]

Runs against the Twilio Proxy Service named by the environment, as the provider reads it:
  TWILIO_API_KEY + TWILIO_API_SECRET, or TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN
  TWILIO_PROXY_SERVICE_SID   the Service (KS...) to create the test sessions in
  TWILIO_PROXY_BASE_URL      default https://proxy.twilio.com (or TWILIO_REGION/TWILIO_EDGE)

  --json FILE   also write the table as JSON (no credential, account SID or phone number);
                twilio-proxy-emulator --readings-from FILE then behaves as this server did
  --dry-run     send nothing: list the requests a run makes (rehearsed on a local emulator)
  --help        show this help

Exit status: 0 every observed behaviour is one the emulator has (its default or its switch),
1 the server did something the emulator cannot reproduce, 2 the run itself failed.
`;

const SERVICE_SID = /^KS[0-9a-fA-F]{32}$/;

class UsageError extends Error {}

function readArgs(argv: string[]): { json?: string; dryRun: boolean; help: boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        json: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return { json: values.json, dryRun: values["dry-run"], help: values.help };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function readTarget(env: NodeJS.ProcessEnv): Target & { timeoutMs: number } {
  let settings: ReturnType<typeof resolveSettings>;
  try {
    settings = resolveSettings(() => undefined, env);
  } catch (err) {
    if ((err as Error).message !== MISSING_CREDENTIALS) throw err;
    throw new UsageError(
      "Twilio credentials are missing: set TWILIO_API_KEY and TWILIO_API_SECRET, or " +
        "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
    );
  }
  const serviceSid = env.TWILIO_PROXY_SERVICE_SID?.trim() ?? "";
  if (!SERVICE_SID.test(serviceSid)) {
    throw new UsageError("TWILIO_PROXY_SERVICE_SID must be the SID of a Proxy Service (KS…)");
  }
  return { ...settings, serviceSid };
}

function announce(prefix: string, baseUrl: string): string {
  const { sessions, participants } = totalBudget();
  return [
    `Twilio Proxy conformance run against ${baseUrl}, in the Service TWILIO_PROXY_SERVICE_SID names.`,
    `It creates at most ${sessions} sessions, each with a unique name starting ${prefix},`,
    `and at most ${participants} participants, all with Twilio's test numbers ${TEST_NUMBERS.join(", ")}`,
    "(no real phone number). Each group of checks deletes its sessions when it ends, and the run",
    "deletes anything left at the end, also when a check fails or on Ctrl-C. It reads the first",
    "page of the Service's session list, and never changes, deletes or shows another session.",
    "",
  ].join("\n");
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = readArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const prefix = newRunPrefix();
  if (args.dryRun) {
    const configured = env.TWILIO_PROXY_BASE_URL?.trim();
    const baseUrl = configured
      ? configured.replace(/\/+$/, "")
      : twilioBaseUrl(env.TWILIO_REGION?.trim(), env.TWILIO_EDGE?.trim());
    process.stdout.write(`${announce(prefix, baseUrl)}\n`);
    process.stdout.write(
      "Dry run: nothing is sent. These are the requests of a run against a server that answers\n" +
        "as the emulator does by default; other answers can skip the rest of a group.\n\n",
    );
    process.stdout.write(`${(await rehearse(prefix, baseUrl)).join("\n")}\n`);
    return 0;
  }

  const target = readTarget(env);
  const secrets = [target.username, target.password, target.serviceSid];
  const transport = new Transport(target, { timeoutMs: target.timeoutMs });
  const sessions = new CreatedSessions(transport);
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) {
      const pending = sessions.pending();
      process.stderr.write(
        `\nStopped without cleaning up.${pending.length ? ` These may remain:\n  ${pending.join("\n  ")}` : ""}\n`,
      );
      process.exit(2);
    }
    interrupted = true;
    process.stderr.write(
      "\nInterrupted: finishing the request under way, then deleting the sessions the run created" +
        " (Ctrl-C again to quit at once).\n",
    );
  });

  process.stdout.write(`${announce(prefix, new URL(target.baseUrl).origin)}\n`);
  const startedAt = new Date();
  const result = await runConformance(transport, {
    prefix,
    interrupted: () => interrupted,
    progress: (line) => process.stderr.write(`· ${line}\n`),
    sessions,
  });
  const status = exitStatus(result);

  const shown = result.rows.map((r) => ({ ...r, observed: redact(r.observed, secrets) }));
  process.stdout.write(`\n${renderTable(shown)}\n${renderVerdict(shown)}\n\n`);
  for (const line of renderDisagreements(shown)) process.stdout.write(`✗ ${line}\n`);
  process.stdout.write(`${result.requests} requests.\n`);
  if (result.failure !== undefined) {
    process.stderr.write(`The run failed: ${redact(result.failure, secrets)}\n`);
  }
  if (result.left.length > 0) {
    process.stderr.write(
      `Could not delete (delete them in the Twilio Console):\n  ${result.left.join("\n  ")}\n`,
    );
  } else {
    process.stdout.write("Every session the run created is deleted.\n");
  }
  if (args.json !== undefined) {
    writeFileSync(
      args.json,
      toJson(result, { baseUrl: target.baseUrl, secrets, exitStatus: status, startedAt }),
    );
    process.stdout.write(
      `Wrote ${args.json}: \`twilio-proxy-emulator --readings-from ${args.json}\` behaves as this server did.\n`,
    );
  }
  return status;
}

main(process.argv.slice(2), process.env).then(
  (status) => process.exit(status),
  (err: unknown) => {
    const usage = err instanceof UsageError ? `\n\n${USAGE}` : "";
    process.stderr.write(`conformance: ${(err as Error).message}${usage}\n`);
    process.exit(2);
  },
);
