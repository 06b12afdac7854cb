// The baseline: a plain Node script, no Pulumi, making exactly the HTTP calls the engine's
// provider makes for one operation over N sessions, with the engine's concurrency.
//
//   node dist/benchmarks/harness/baseline.js <create|refresh|update|delete> <spec.json>
//
// spec.json: {baseUrl, accountSid, authToken, serviceSid, concurrency, sessions: [{uniqueName,
// ttl, sid?}]}. `create` writes the SIDs back into spec.json. Prints one JSON line:
// {op, requests, httpMs} where httpMs runs from the first request sent to the last answer.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";

export type BaselineOp = "create" | "refresh" | "update" | "delete";

export interface BaselineSpec {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  serviceSid: string;
  concurrency: number;
  sessions: Array<{ uniqueName: string; ttl: number; sid?: string }>;
}

export interface BaselineResult {
  op: BaselineOp;
  requests: number;
  httpMs: number;
}

interface Answer {
  status: number;
  body: string;
}

async function run(op: BaselineOp, spec: BaselineSpec): Promise<BaselineResult> {
  const base = new URL(spec.baseUrl);
  const lib = base.protocol === "https:" ? https : http;
  // As the provider does: one keep-alive agent, connections reused across calls.
  const agent = new lib.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const auth = `Basic ${Buffer.from(`${spec.accountSid}:${spec.authToken}`).toString("base64")}`;
  const sessions = `/v1/Services/${encodeURIComponent(spec.serviceSid)}/Sessions`;

  const request = (method: string, path: string, form?: Record<string, string>) =>
    new Promise<Answer>((resolve, reject) => {
      const body = form === undefined ? undefined : new URLSearchParams(form).toString();
      const req = lib.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          headers: {
            Authorization: auth,
            Accept: "application/json",
            ...(body === undefined
              ? {}
              : {
                  "Content-Type": "application/x-www-form-urlencoded",
                  "Content-Length": Buffer.byteLength(body),
                }),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  const expect = (answer: Answer, status: number, what: string) => {
    if (answer.status !== status) {
      throw new Error(`${what}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    return answer;
  };

  const one = async (s: BaselineSpec["sessions"][number]) => {
    const path = `${sessions}/${encodeURIComponent(s.sid ?? "")}`;
    switch (op) {
      case "create": {
        // The provider's CreateSession form for {uniqueName, ttl}: UniqueName, then Ttl.
        const form = { UniqueName: s.uniqueName, Ttl: String(s.ttl) };
        const answer = expect(await request("POST", sessions, form), 201, "create");
        s.sid = (JSON.parse(answer.body) as { sid: string }).sid;
        break;
      }
      case "refresh":
        expect(await request("GET", path), 200, "fetch");
        break;
      case "update":
        expect(await request("POST", path, { Ttl: String(s.ttl) }), 200, "update");
        break;
      case "delete":
        expect(await request("DELETE", path), 204, "delete");
        break;
    }
  };

  // A fixed pool of `concurrency` workers, as the engine's step executor runs resource
  // operations: a new one starts as soon as one finishes.
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < spec.sessions.length) await one(spec.sessions[next++]);
  };
  await Promise.all(
    Array.from({ length: Math.min(spec.concurrency, spec.sessions.length) }, worker),
  );
  const httpMs = performance.now() - started;
  agent.destroy();
  return { op, requests: spec.sessions.length, httpMs };
}

async function main() {
  const [op, specFile] = process.argv.slice(2);
  if (!["create", "refresh", "update", "delete"].includes(op) || !specFile) {
    console.error("usage: baseline.js <create|refresh|update|delete> <spec.json>");
    process.exit(2);
  }
  const spec = JSON.parse(fs.readFileSync(specFile, "utf8")) as BaselineSpec;
  const result = await run(op as BaselineOp, spec);
  if (op === "create") fs.writeFileSync(specFile, JSON.stringify(spec));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`baseline failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
