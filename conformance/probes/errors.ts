// Probes of error answers: 401 (with a made-up account, never the user's), 404, 405 and
// parameter errors. They create nothing unless the server accepts what it should refuse.
import { randomBytes } from "node:crypto";
import type { Probe } from "../probe";
import { seen } from "../rows";
import { describe, field, isError, type Answer } from "../transport";

/** The 2018 capture of a 401 (reference §9), field by field. */
const UNAUTHORIZED_BODY: Record<string, unknown> = {
  code: 20003,
  detail: "Your AccountSid or AuthToken was incorrect.",
  message: "Authenticate",
  more_info: "https://www.twilio.com/docs/errors/20003",
  status: 401,
};
const UNAUTHORIZED_CHALLENGE = 'Basic realm="Twilio API"';

function unauthorizedDifferences(a: Answer): string[] {
  const differences = a.status === 401 ? [] : [`HTTP ${a.status}`];
  for (const [key, expected] of Object.entries(UNAUTHORIZED_BODY)) {
    const got = field(a, key);
    if (got !== expected) differences.push(`${key} ${JSON.stringify(got)}`);
  }
  const challenge = a.headers.get("www-authenticate");
  if (challenge !== UNAUTHORIZED_CHALLENGE) {
    differences.push(`WWW-Authenticate ${JSON.stringify(challenge)}`);
  }
  return differences;
}

/** 400 80701 "'<name>' is invalid." exactly. */
const invalid = (a: Answer, name: string) =>
  a.status === 400 && a.code === 80701 && a.message === `'${name}' is invalid.`;

export const errorsProbe: Probe = {
  title: "Errors: 401, 404, 405 and bad parameters",
  rows: [
    "unauthorizedAnswer",
    "authBeforeRouting",
    "notFoundMessage",
    "methodNotAllowed",
    "parameterErrors",
  ],
  budget: { sessions: 2, participants: 0 },
  async run(ctx) {
    const wrong = await ctx.send({
      method: "GET",
      path: "Sessions?PageSize=1",
      credentials: "wrong",
    });
    const differences = unauthorizedDifferences(wrong);
    ctx.observe(
      "unauthorizedAnswer",
      differences.length === 0
        ? seen.default("401 20003 Authenticate, detail, WWW-Authenticate")
        : seen.neither(differences.join(", ")),
    );

    const noRoute = await ctx.send({
      method: "GET",
      path: "/v1/ConformanceNoSuchResource",
      credentials: "none",
    });
    ctx.observe(
      "authBeforeRouting",
      noRoute.status === 401 ? seen.default(describe(noRoute)) : seen.neither(describe(noRoute)),
    );

    const sid = `KC${randomBytes(16).toString("hex")}`;
    const missing = await ctx.send({ method: "GET", path: `Sessions/${sid}` });
    const expected = `The requested resource /Services/${ctx.serviceSid}/Sessions/${sid} was not found`;
    const said = `${describe(missing)} '${(missing.message ?? "").replace(sid, "KC…")}'`;
    ctx.observe(
      "notFoundMessage",
      isError(missing, 20404) && missing.message === expected
        ? seen.default(said)
        : seen.neither(said),
    );

    const put = await ctx.send({ method: "PUT", path: "Sessions" });
    ctx.observe(
      "methodNotAllowed",
      put.status === 405 && put.code === 20004
        ? seen.default(describe(put))
        : seen.neither(describe(put)),
    );

    const tries: Array<[string, Answer]> = [
      [
        "Mode",
        await ctx.createSession([
          ["UniqueName", ctx.name("bad-mode")],
          ["Mode", "conformance"],
        ]),
      ],
      [
        "Ttl",
        await ctx.createSession([
          ["UniqueName", ctx.name("bad-ttl")],
          ["Ttl", "-1"],
        ]),
      ],
      ["PageSize", await ctx.send({ method: "GET", path: "Sessions?PageSize=0" })],
    ];
    const observed = tries
      .map(
        ([name, a]) => `${name} ${describe(a)}${invalid(a, name) ? "" : ` '${a.message ?? ""}'`}`,
      )
      .join(", ");
    ctx.observe(
      "parameterErrors",
      tries.every(([name, a]) => invalid(a, name))
        ? seen.default(observed)
        : seen.neither(observed),
    );
  },
};
