// `--dry-run`: nothing goes to the configured server. The run is rehearsed against a local
// emulator in its default mode, and the requests it made are listed as they would go out,
// with placeholders for the Service and for the sids a real server would hand out.
import { startEmulator } from "../emulator";
import { runConformance } from "./run";
import { field, Transport, type Request } from "./transport";

interface Sent {
  request: Request;
  url: string;
}

export async function rehearse(prefix: string, baseUrl: string): Promise<string[]> {
  const emulator = await startEmulator({ port: 0 });
  const sent: Sent[] = [];
  try {
    const transport = new Transport(
      {
        baseUrl: emulator.baseUrl,
        serviceSid: emulator.serviceSid,
        username: emulator.accountSid,
        password: emulator.authToken,
      },
      { timeoutMs: 10_000, onRequest: (request, url) => sent.push({ request, url }) },
    );
    await runConformance(transport, { prefix, interrupted: () => false, progress: () => {} });
    const placeholders = new Map<string, string>([
      [
        `${emulator.baseUrl}/v1/Services/${emulator.serviceSid}`,
        `${baseUrl}/v1/Services/{Service}`,
      ],
      [emulator.baseUrl, baseUrl],
    ]);
    // Sids the rehearsal was handed, numbered in order; any other sid was made up by a probe.
    let sessions = 0;
    let participants = 0;
    for (const { answer } of transport.answers) {
      const sid = field(answer, "sid");
      if (answer.status !== 201 || typeof sid !== "string" || placeholders.has(sid)) continue;
      if (sid.startsWith("KC")) placeholders.set(sid, `{session ${++sessions}}`);
      if (sid.startsWith("KP")) placeholders.set(sid, `{participant ${++participants}}`);
    }
    const unplaced = /\b(KC|KP)[0-9a-f]{32}\b/g;
    return sent.map(({ request, url }) => {
      let line = `${request.method.padEnd(6)} ${url}`;
      if (request.form !== undefined) {
        const form = request.form.map(([k, v]) => `${k}=${v}`).join(" ");
        line += `  ${form || "(no parameters)"}`;
      }
      if (request.credentials === "none") line += "  (no credentials)";
      if (request.credentials === "wrong") line += "  (made-up credentials)";
      for (const [from, to] of placeholders) line = line.split(from).join(to);
      return line.replace(unplaced, "{a made-up $1 sid}");
    });
  } finally {
    await emulator.close();
  }
}
