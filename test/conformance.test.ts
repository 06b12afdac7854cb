// `npm run conformance` as a user runs it (the built script, a child process), against the
// emulator: it must read back exactly the reading the emulator is set to on every row, under
// the defaults and with every switch flipped, and leave no session behind. And the loop closed:
// an emulator set from a run's JSON (--readings-from) reads back the same.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  READINGS,
  startEmulator,
  type ControlReadingsResponse,
  type ControlRequestsResponse,
  type ControlSessionsResponse,
  type EmulatorOptions,
  type RunningEmulator,
} from "../emulator";
import { TEST_NUMBERS } from "../conformance/probe";
import { ROWS } from "../conformance/rows";
import { totalBudget } from "../conformance/run";

const SCRIPT = join(__dirname, "..", "dist", "conformance", "cli.js");
const EMULATOR_CLI = join(__dirname, "..", "dist", "emulator", "cli.js");
const ALL_SWITCHES = READINGS.map((r) => r.id);
const UNOBSERVABLE: string[] = ROWS.flatMap((r) =>
  "notObservable" in r && "reading" in r ? [r.reading] : [],
);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface JsonRow {
  id: string;
  agreesWith: string;
  observed: string;
}

const running: RunningEmulator[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, ...options });
  running.push(emu);
  return emu;
}

async function control<T>(emu: RunningEmulator, route: string): Promise<T> {
  return (await (await fetch(`${emu.baseUrl}/__emulator/${route}`)).json()) as T;
}

const sessionsLeft = async (emu: RunningEmulator) =>
  (await control<ControlSessionsResponse>(emu, "sessions")).sessions;

/** The script with the emulator's credentials; `whileRunning` sees the child as it starts. */
function conformance(
  emu: RunningEmulator,
  args: string[],
  env: Record<string, string> = {},
  whileRunning?: (child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  const child = spawn(process.execPath, [SCRIPT, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      TWILIO_ACCOUNT_SID: emu.accountSid,
      TWILIO_AUTH_TOKEN: emu.authToken,
      TWILIO_PROXY_BASE_URL: emu.baseUrl,
      TWILIO_PROXY_SERVICE_SID: emu.serviceSid,
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  whileRunning?.(child);
  return new Promise((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr })),
  );
}

const jsonFile = () => join(mkdtempSync(join(tmpdir(), "conformance-")), "report.json");

function readRows(file: string): { text: string; rows: JsonRow[] } {
  const text = readFileSync(file, "utf8");
  return { text, rows: (JSON.parse(text) as { rows: JsonRow[] }).rows };
}

/** The printed Markdown table: the last cell of each row below the header and its rule. */
function printedAgreements(stdout: string): string[] {
  const lines = stdout.split("\n").filter((l) => l.startsWith("| "));
  return lines.slice(2).map((l) =>
    l
      .split(" | ")
      .at(-1)!
      .replace(/\s*\|$/, "")
      .trim(),
  );
}

describe("the conformance table", () => {
  it("has a row for every reading the emulator registers", () => {
    const switched = ROWS.flatMap((r) => ("reading" in r ? [r.reading] : []));
    expect([...switched].sort()).toEqual([...ALL_SWITCHES].sort());
  });
});

describe("the README section on the conformance run", () => {
  it("announces what the run creates", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const { sessions, participants } = totalBudget();
    expect(readme).toContain(`at most ${sessions} sessions`);
    expect(readme).toContain(`Participants (at most ${participants})`);
    for (const number of TEST_NUMBERS) expect(readme).toContain(number);
  });
});

/** A seeded choice of switches, each flipped with probability 1/2 (mulberry32). */
function flippedAtRandom(seed: number): string[] {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return ALL_SWITCHES.filter(() => next() < 0.5);
}

const activeAlternatives = async (emu: RunningEmulator) =>
  (await control<ControlReadingsResponse>(emu, "readings")).readings
    .filter((r) => r.active === "alternative")
    .map((r) => r.id);

describe("closing the loop: an emulator set from a conformance run's JSON", () => {
  // The first request of each run is answered 429, so that Retry-After is observed too.
  const faults = { next: ["rate429" as const], retryAfterSeconds: 0 };

  it.each([19, 2026])(
    "reads the same readings again from an emulator set by --readings-from (switches flipped at random, seed %i)",
    async (seed) => {
      const flipped = flippedAtRandom(seed);
      const first = await emulator({
        alternatives: flipped as EmulatorOptions["alternatives"],
        faults,
      });
      const firstJson = jsonFile();
      expect((await conformance(first, ["--json", firstJson])).status).toBe(0);
      const firstRows = readRows(firstJson).rows.map((r) => [r.id, r.agreesWith]);

      const second = await emulator({ readingsFrom: firstJson, faults });
      // A switch no run can observe (a 90-day expiry) stays at the default.
      expect(await activeAlternatives(second)).toEqual(
        flipped.filter((id) => !UNOBSERVABLE.includes(id)),
      );
      const secondJson = jsonFile();
      expect((await conformance(second, ["--json", secondJson])).status).toBe(0);
      expect(readRows(secondJson).rows.map((r) => [r.id, r.agreesWith])).toEqual(firstRows);
    },
  );

  it("twilio-proxy-emulator --readings-from FILE sets every switch as the file says, and refuses a row read 'neither' by name", async () => {
    const flipped = flippedAtRandom(7);
    const report = (agrees: (id: string) => string) => {
      const file = jsonFile();
      const rows = ROWS.map((r) => ({
        id: r.id,
        behaviour: r.behaviour,
        emulatorSwitch: "reading" in r ? r.reading : null,
        observed: "…",
        agreesWith: agrees(r.id),
      }));
      writeFileSync(file, JSON.stringify({ tool: "pulumi-twilio-proxy conformance", rows }));
      return file;
    };
    const good = report((id) =>
      UNOBSERVABLE.includes(id)
        ? "not observable"
        : flipped.includes(id)
          ? "alternative"
          : "default",
    );
    const cli = spawn(process.execPath, [EMULATOR_CLI, "--port", "0", "--readings-from", good]);
    try {
      const stdout = await new Promise<string>((resolve) => {
        let out = "";
        cli.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("Readings from")) resolve(out);
        });
      });
      const baseUrl = stdout.match(/^TWILIO_PROXY_BASE_URL=(.*)$/m)![1];
      const readings = (await (
        await fetch(`${baseUrl}/__emulator/readings`)
      ).json()) as ControlReadingsResponse;
      expect(readings.readings.filter((r) => r.active === "alternative").map((r) => r.id)).toEqual(
        flipped.filter((id) => !UNOBSERVABLE.includes(id)),
      );
      expect(stdout).toContain(`not observed there, so default: ${UNOBSERVABLE.join(", ")}\n`);
    } finally {
      cli.kill();
    }

    const bad = report((id) => (id === "sameStatusUpdate" ? "neither" : "default"));
    const refused = spawnSync(
      process.execPath,
      [EMULATOR_CLI, "--port", "0", "--readings-from", bad],
      {
        encoding: "utf8",
      },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(
      "it has no reading for sameStatusUpdate (Update Status to the current status:",
    );
  });
});

describe("--readings-from refuses what is not a conformance run's JSON", () => {
  it("names the file and what is wrong with it; refuses alternatives beside it", async () => {
    const file = jsonFile();
    writeFileSync(file, JSON.stringify({ rows: [] }));
    await expect(emulator({ readingsFrom: file })).rejects.toThrow(
      `${file}: not the --json of a conformance run`,
    );
    writeFileSync(file, "{ not json");
    await expect(emulator({ readingsFrom: file })).rejects.toThrow(`${file}: not JSON`);
    const unknownSwitch = {
      tool: "pulumi-twilio-proxy conformance",
      rows: [
        {
          id: "x",
          behaviour: "x",
          emulatorSwitch: "noSuchReading",
          observed: "",
          agreesWith: "default",
        },
      ],
    };
    writeFileSync(file, JSON.stringify(unknownSwitch));
    await expect(emulator({ readingsFrom: file })).rejects.toThrow(
      /unknown reading 'noSuchReading'/,
    );
    await expect(
      emulator({ readingsFrom: file, alternatives: ["fetchByUniqueName"] }),
    ).rejects.toThrow("give alternatives or readingsFrom, not both");
  });
});

describe("npm run conformance against the emulator", () => {
  it.each([
    ["default", [] as string[]],
    ["alternative", ALL_SWITCHES],
  ] as const)(
    "reads back the %s reading of every switch, the emulator's behaviour everywhere else, and leaves no session",
    async (position, alternatives) => {
      // The first request is answered 429, so the run also sees whether Retry-After comes.
      const emu = await emulator({
        alternatives: [...alternatives] as EmulatorOptions["alternatives"],
        faults: { next: ["rate429"], retryAfterSeconds: 0 },
      });
      const file = jsonFile();
      const run = await conformance(emu, ["--json", file]);
      expect(run.stderr).not.toContain("The run failed");
      expect(run.status, run.stdout + run.stderr).toBe(0);

      const { text, rows } = readRows(file);
      const expected = ROWS.map((r) => [
        r.id,
        "notObservable" in r ? "not observable" : "reading" in r ? position : "default",
      ]);
      expect(rows.map((r) => [r.id, r.agreesWith])).toEqual(expected);
      expect(printedAgreements(run.stdout)).toEqual(expected.map(([, agrees]) => agrees));
      const count = (agrees: string) => expected.filter(([, a]) => a === agrees).length;
      expect(run.stdout).toContain(
        `\nVerdict: ${count("default")} of ${ROWS.length} rows match the emulator's default, ` +
          `${count("alternative")} its alternative, none matches neither ` +
          `(${count("not observable")} not observed or not observable).\n`,
      );
      expect(run.stdout).toContain(`at most ${totalBudget().sessions} sessions`);

      expect(await sessionsLeft(emu)).toEqual([]);
      const created = (await control<ControlRequestsResponse>(emu, "requests")).byOperation;
      expect(created.CreateSession).toBeLessThanOrEqual(totalBudget().sessions + 1); // + the 429

      for (const secret of [emu.accountSid, emu.authToken, emu.serviceSid]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/AC[0-9a-f]{32}/);
      expect(text).not.toMatch(/\+\d{7,}/);
    },
  );

  it("--dry-run lists the requests and sends none", async () => {
    const emu = await emulator();
    const run = await conformance(emu, ["--dry-run"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^POST +\S+\/v1\/Services\/\{Service\}\/Sessions +UniqueName=/m);
    expect(run.stdout).toMatch(/^DELETE +\S+\/Sessions\/\{session 1\}$/m);
    expect((await control<ControlRequestsResponse>(emu, "requests")).total).toBe(0);
  });

  it("Ctrl-C stops the run and still deletes what it created", async () => {
    // Slow answers, so that the interrupt lands while a session of the run exists.
    const emu = await emulator({ faults: { latencyMs: 40 } });
    const run = await conformance(emu, [], {}, (child) => {
      // One Ctrl-C only (a second one quits without cleaning up), once a session exists.
      let interrupted = false;
      const poll = setInterval(async () => {
        const sessions = await sessionsLeft(emu).catch(() => []);
        if (interrupted || sessions.length === 0) return;
        interrupted = true;
        clearInterval(poll);
        child.kill("SIGINT");
      }, 10);
      child.on("close", () => clearInterval(poll));
    });
    expect(run.stderr).toContain("Interrupted");
    expect(run.status).toBe(2);
    expect(run.stdout).toContain("not observed");
    expect(await sessionsLeft(emu)).toEqual([]);
  });

  it("exits 2 when the credentials are refused, before creating anything", async () => {
    const emu = await emulator();
    const run = await conformance(emu, [], { TWILIO_AUTH_TOKEN: "notTheToken" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("the credentials were refused");
    expect(
      (await control<ControlRequestsResponse>(emu, "requests")).byOperation.CreateSession,
    ).toBe(0);
  });

  it("exits 1 and names the row when the server does something the emulator cannot", async () => {
    // A server like the emulator but for a charset on its JSON answers.
    const emu = await emulator();
    const proxy = await rewritingProxy(emu.baseUrl, (type) => `${type}; charset=utf-8`);
    const file = jsonFile();
    const run = await conformance(emu, ["--json", file], { TWILIO_PROXY_BASE_URL: proxy });
    expect(run.status).toBe(1);
    const { rows } = readRows(file);
    expect(rows.filter((r) => r.agreesWith === "neither").map((r) => r.id)).toEqual([
      "responseHeaders",
    ]);
    expect(run.stdout).toMatch(/✗ Response headers: .*charset=utf-8/);
    expect(run.stdout).toMatch(
      /\nVerdict: \d+ of \d+ rows match the emulator's default, 0 its alternative, 1 match neither: Response headers \(/,
    );
    // That account cannot be emulated: the JSON is refused, naming the row.
    await expect(emulator({ readingsFrom: file })).rejects.toThrow(
      /cannot behave as that account did: it has no reading for responseHeaders \(Response headers: /,
    );
    expect(await sessionsLeft(emu)).toEqual([]);
  });
});

/** Passes every request through to `target`, Host header included, rewriting Content-Type. */
async function rewritingProxy(target: string, contentType: (type: string) => string) {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        const headers = { ...answer.headers };
        if (headers["content-type"]) headers["content-type"] = contentType(headers["content-type"]);
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
