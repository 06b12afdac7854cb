// Nothing lost by mistake, through the `pulumi` CLI on examples/basic: refresh, the drift gate and
// destroy, with a base URL ending in /v1 or something other than Twilio answering, each fail
// loudly, leave the stack's state byte for byte as it was and every session live at Twilio.
import * as path from "node:path";
import { afterAll } from "vitest";
import { pulumiCli, type PulumiCli } from "./support/cli";
import { repoRoot } from "./support/engine";
import { describe, emulatorTest, expect } from "./support/fixtures";
import { HTML_200, HTML_404, startImpostor, type ImpostorAnswer } from "./support/impostor";

// One stack for the file: each test leaves it as it found it, or fails.
const it = emulatorTest({ resetBeforeEach: false });
let cli: PulumiCli;
const stack = `gone-${process.pid}`;
let sids: string[] = [];

it.beforeAll(async ({ emu }) => {
  cli = pulumiCli(
    path.join(repoRoot, "examples/basic"),
    emu.env({ TWILIO_PROXY_SERVICE_SID: emu.serviceSid }),
  );
  const init = await cli.run("stack", "init", stack);
  expect(init.status, init.out).toBe(0);
  const up = await cli.run("up", "--yes", "--stack", stack);
  expect(up.status, up.out).toBe(0);
  sids = (await emu.sessions()).map((s) => s.sid as string).sort();
  expect(sids).toHaveLength(3);
});
afterAll(() => cli?.dispose());

const COMMANDS = [
  ["refresh", ["refresh", "--yes"]],
  ["preview --refresh", ["preview", "--refresh"]],
  ["destroy", ["destroy", "--yes"]],
] as const;

/** What answers in Twilio's place, and what each command must then say. */
const CASES: ReadonlyArray<{
  name: string;
  answer?: ImpostorAnswer;
  message: (command: string) => RegExp;
}> = [
  {
    name: "a base URL ending in /v1",
    message: () =>
      /twilio-proxy:baseUrl \/ TWILIO_PROXY_BASE_URL must have no path or query .*got "http:\/\/127\.0\.0\.1:\d+\/v1"/,
  },
  {
    name: "a proxy answering 404 with an HTML page",
    answer: HTML_404,
    message: (command) =>
      command === "destroy"
        ? /delete of session KC\w+ stopped, and it stays in state: DELETE http:\/\/127\.0\.0\.1:\d+\/v1\/Services\/KS\w+\/Sessions\/KC\w+ answered HTTP 404 with an HTML page/
        : /refresh of session KC\w+ stopped, and nothing was dropped from state: GET http:\/\/127\.0\.0\.1:\d+\/v1\/Services\/KS\w+\/Sessions\/KC\w+ answered HTTP 404 with an HTML page \(text\/html\) titled "404 Not Found"/,
  },
  {
    name: "a proxy answering 200 with an HTML page",
    answer: HTML_200,
    message: (command) =>
      command === "destroy"
        ? /DELETE http:\/\/127\.0\.0\.1:\d+\/v1\/Services\/KS\w+\/Sessions\/KC\w+ answered HTTP 200 with an HTML page .*, not an empty body/
        : /GET http:\/\/127\.0\.0\.1:\d+\/v1\/Services\/KS\w+\/Sessions\/KC\w+ answered HTTP 200 with an HTML page .*, not a Twilio session/,
  },
];

describe.each(CASES)("with $name", ({ answer, message }) => {
  it.for(COMMANDS)(
    "%s fails with that message, state unchanged, every session live",
    async ([command, args], { emu }) => {
      const impostor = answer ? await startImpostor(answer) : undefined;
      try {
        const baseUrl = impostor?.baseUrl ?? `${emu.baseUrl}/v1`;
        const before = await cli.run("stack", "export", "--stack", stack);
        expect(before.status, before.out).toBe(0);
        await emu.resetCalls();

        const run = await cli.runWith(
          { TWILIO_PROXY_BASE_URL: baseUrl },
          ...args,
          "--stack",
          stack,
        );
        expect(run.status, run.out).not.toBe(0);
        expect(run.out).toMatch(message(command));

        // Byte for byte, but for the checkpoint's own timestamp: `pulumi destroy` saves the
        // checkpoint at its end even when every delete failed (refresh and preview do not).
        const after = await cli.run("stack", "export", "--stack", stack);
        expect(after.status, after.out).toBe(0);
        const savedAt = /^ {12}"time": "[^"]*",$/m;
        expect(before.out).toMatch(savedAt);
        if (command === "destroy")
          expect(after.out.replace(savedAt, "")).toBe(before.out.replace(savedAt, ""));
        else expect(after.out).toBe(before.out);
        // Nothing reached Twilio (the emulator): refused at configure, or sent elsewhere.
        expect((await emu.calls()).total).toBe(0);
        expect((await emu.sessions()).map((s) => s.sid).sort()).toEqual(sids);
        if (impostor) expect(impostor.requests.length).toBeGreaterThan(0);
      } finally {
        await impostor?.close();
      }
    },
  );
});

describe("afterwards, with the right base URL", () => {
  it("the drift gate finds every session as declared", async () => {
    const gate = await cli.run("preview", "--refresh", "--expect-no-changes", "--stack", stack);
    expect(gate.status, gate.out).toBe(0);
    expect(gate.out).not.toMatch(/delete|create/);
  });
});
