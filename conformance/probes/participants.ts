// Probes that need participants. They use Twilio's test numbers only, and one session with
// participants at a time (each is deleted before the next is made), so that a Service with a
// single proxy number can serve them. The first probe is the gate: if the server refuses a
// test-number participant at all, the other participant probes skip instead of guessing.
import { NotObserved, TEST_NUMBERS, type Probe, type ProbeContext } from "../probe";
import { seen, verdict, type Observation } from "../rows";
import { describe, field, isError, isSuccess, type Answer, type Form } from "../transport";

const [FIRST, SECOND, THIRD] = TEST_NUMBERS;

function skipIfRefused(ctx: ProbeContext): void {
  const refusal = ctx.state.participantRefusal;
  if (refusal !== undefined) throw new NotObserved(`test-number participants refused (${refusal})`);
}

/** The sid of a participant a setup step added; the probe stops if it was refused. */
function addedSid(ctx: ProbeContext, answer: Answer): string {
  ctx.expectSuccess(answer, "adding a participant");
  return field(answer, "sid") as string;
}

async function emptySession(ctx: ProbeContext, label: string): Promise<string> {
  const created = await ctx.createSession([
    ["UniqueName", ctx.name(label)],
    ["Ttl", "3600"],
  ]);
  ctx.expectSuccess(created, "creating a session");
  return field(created, "sid") as string;
}

type Participant = {
  sid: string;
  identifier?: string;
  friendly_name?: unknown;
  date_deleted?: unknown;
};

async function listParticipants(ctx: ProbeContext, sessionSid: string) {
  const answer = await ctx.send({ method: "GET", path: `Sessions/${sessionSid}/Participants` });
  const participants = (field(answer, "participants") ?? []) as Participant[];
  const key = (field(answer, "meta") as { key?: unknown } | undefined)?.key;
  return { answer, participants, key };
}

const participantPath = (sessionSid: string, sid: string) =>
  `Sessions/${sessionSid}/Participants/${sid}`;

const identifier = (number: string) => [["Identifier", number]] as Form;

export const participantResourceProbe: Probe = {
  title: "Participants: the sub-resource, soft delete, the limit of 2",
  rows: [
    "participantsSubresource",
    "poolProxyIdentifier",
    "participantDeleteStatus",
    "deletedParticipantsInList",
    "deleteDeletedParticipant",
    "readdDeletedParticipant",
    "deletedParticipantsCount",
  ],
  budget: { sessions: 1, participants: 4 },
  async run(ctx) {
    skipIfRefused(ctx);
    const session = await emptySession(ctx, "participants");
    const added = await ctx.addParticipant(session, [
      ["Identifier", FIRST],
      ["FriendlyName", "conformance"],
    ]);
    if (!isSuccess(added)) {
      // The gate: the other participant probes skip rather than ask again.
      ctx.state.participantRefusal = `${describe(added)} ${added.message ?? ""}`.trim();
      skipIfRefused(ctx);
    }
    const kp = field(added, "sid") as string;

    const proxy = field(added, "proxy_identifier");
    const proxySid = field(added, "proxy_identifier_sid");
    const pooled =
      `proxy_identifier ${typeof proxy === "string" ? "a number" : JSON.stringify(proxy)}, ` +
      `proxy_identifier_sid ${typeof proxySid === "string" ? `${proxySid.slice(0, 2)}…` : "null"}`;
    ctx.observe(
      "poolProxyIdentifier",
      typeof proxy === "string" &&
        /^\+[1-9]\d{6,14}$/.test(proxy) &&
        /^PN[0-9a-f]{32}$/.test(`${proxySid}`)
        ? seen.default(pooled)
        : seen.neither(pooled),
    );

    const fetched = await ctx.send({ method: "GET", path: participantPath(session, kp) });
    const deleted = await ctx.send({ method: "DELETE", path: participantPath(session, kp) });
    const deleteSeen = `${deleted.status}${deleted.text === "" ? ", empty body" : ", a body"}`;
    if (deleted.status === 200 && deleted.text === "") {
      ctx.observe("participantDeleteStatus", seen.default(deleteSeen));
    } else if (deleted.status === 204) {
      ctx.observe("participantDeleteStatus", seen.alternative(deleteSeen));
    } else {
      ctx.observe(
        "participantDeleteStatus",
        seen.neither(isSuccess(deleted) ? deleteSeen : describe(deleted)),
      );
      if (!isSuccess(deleted)) {
        throw new NotObserved(`deleting a participant: ${describe(deleted)}`);
      }
    }

    const listed = await listParticipants(ctx, session);
    const shape =
      `POST ${added.status} ${kp.slice(0, 2)}…, GET ${describe(fetched)}, ` +
      `list ${describe(listed.answer)} key ${JSON.stringify(listed.key)}`;
    ctx.observe(
      "participantsSubresource",
      kp.startsWith("KP") &&
        isSuccess(fetched) &&
        field(fetched, "sid") === kp &&
        listed.key === "participants"
        ? seen.default(shape)
        : seen.neither(shape),
    );

    const inList = listed.participants.find((p) => p.sid === kp);
    const fetchedDeleted = await ctx.send({ method: "GET", path: participantPath(session, kp) });
    ctx.observe("deletedParticipantsInList", deletedVisibility(inList, fetchedDeleted));

    const deletedAgain = await ctx.send({ method: "DELETE", path: participantPath(session, kp) });
    ctx.observe(
      "deleteDeletedParticipant",
      isError(deletedAgain, 20404)
        ? seen.default(describe(deletedAgain))
        : seen.neither(describe(deletedAgain)),
    );

    // The session holds one deleted participant: a re-add is refused by its identifier alone.
    const readded = await ctx.addParticipant(session, identifier(FIRST));
    if (!isError(readded, 80623)) {
      ctx.observe("readdDeletedParticipant", seen.neither(describe(readded)));
      throw new NotObserved(`re-adding a deleted participant: ${describe(readded)}`);
    }
    ctx.observe("readdDeletedParticipant", seen.default(describe(readded)));

    // One deleted and one live participant: a third is over the limit only if deleted ones count.
    addedSid(ctx, await ctx.addParticipant(session, identifier(SECOND)));
    const third = await ctx.addParticipant(session, identifier(THIRD));
    const counted = `a 2nd live one after a deletion: ${describe(third)}`;
    ctx.observe(
      "deletedParticipantsCount",
      verdict(counted, isError(third, 80609), isSuccess(third)),
    );
  },
};

/** Listed and fetched with date_deleted set (default), or gone from both (alternative). */
function deletedVisibility(inList: Participant | undefined, fetched: Answer): Observation {
  const marked = (p: unknown) => typeof (p as Participant | undefined)?.date_deleted === "string";
  const listed = inList ? `shows it, date_deleted ${marked(inList) ? "set" : "null"}` : "omits it";
  const got = isSuccess(fetched)
    ? `${fetched.status}, date_deleted ${marked(fetched.body) ? "set" : "null"}`
    : describe(fetched);
  const observed = `list ${listed}, fetch ${got}`;
  return verdict(
    observed,
    marked(inList) && isSuccess(fetched) && marked(fetched.body),
    !inList && isError(fetched, 20404),
  );
}

export const duplicateIdentifierProbe: Probe = {
  title: "Participants: the same identifier twice",
  rows: ["duplicateParticipantIdentifier"],
  budget: { sessions: 1, participants: 2 },
  async run(ctx) {
    skipIfRefused(ctx);
    const session = await emptySession(ctx, "duplicate");
    addedSid(ctx, await ctx.addParticipant(session, identifier(FIRST)));
    const twice = await ctx.addParticipant(session, identifier(FIRST));
    const observed = `second add ${describe(twice)}`;
    ctx.observe(
      "duplicateParticipantIdentifier",
      verdict(observed, isError(twice, 80623), isSuccess(twice)),
    );
  },
};

export const closedSessionParticipantsProbe: Probe = {
  title: "Participants of a closed session",
  rows: ["participantsOnClosedSession"],
  budget: { sessions: 1, participants: 2 },
  async run(ctx) {
    skipIfRefused(ctx);
    const session = await emptySession(ctx, "closed-participants");
    const kp = addedSid(ctx, await ctx.addParticipant(session, identifier(FIRST)));
    const closed = await ctx.send({
      method: "POST",
      path: `Sessions/${session}`,
      form: [["Status", "closed"]],
    });
    ctx.expectSuccess(closed, "closing the session");
    const added = await ctx.addParticipant(session, identifier(SECOND));
    const deleted = await ctx.send({ method: "DELETE", path: participantPath(session, kp) });
    const observed = `add ${describe(added)}, delete ${describe(deleted)}`;
    ctx.observe(
      "participantsOnClosedSession",
      verdict(
        observed,
        isError(added, 80607) && isError(deleted, 80607),
        isSuccess(added) && isSuccess(deleted),
      ),
    );
  },
};

/**
 * A create carrying `Participants`; when it succeeds, how many participants the session got.
 * The session is deleted at once, so that its test numbers are free for the next one.
 */
async function createWithParticipants(ctx: ProbeContext, label: string, values: string[]) {
  const answer = await ctx.createSession([
    ["UniqueName", ctx.name(label)],
    ...values.map((v) => ["Participants", v] as const),
  ]);
  if (!isSuccess(answer)) return { answer, participants: [] as Participant[] };
  const sid = field(answer, "sid") as string;
  const { participants } = await listParticipants(ctx, sid);
  await ctx.deleteSession(sid);
  return { answer, participants };
}

const asJson = (...objects: object[]) => objects.map((o) => JSON.stringify(o));

/**
 * `2 in one value: 201, 2 participants; 3: 400 80609` and whether that is the emulator's; and the
 * two participants as Twilio listed them.
 */
async function twoAndThree(ctx: ProbeContext, label: string, two: string[], three: string[]) {
  const accepted = await createWithParticipants(ctx, label, two);
  const over = await ctx.createSession([
    ["UniqueName", ctx.name(`${label}-3`)],
    ...three.map((v) => ["Participants", v] as const),
  ]);
  const count = accepted.participants.length;
  const observed =
    `2: ${isSuccess(accepted.answer) ? `${accepted.answer.status}, ${count} participants` : describe(accepted.answer)}` +
    `; 3: ${describe(over)}`;
  const observation =
    isSuccess(accepted.answer) && count === 2 && isError(over, 80609)
      ? seen.default(observed)
      : seen.neither(observed);
  return { observation, listed: accepted.participants };
}

/** The order ListParticipant gave two participants that one create declared first, second. */
function listOrder(listed: Participant[]): Observation {
  if (listed.length !== 2) return seen.nothing("no session with two participants");
  const [one, two] = listed.map((p) => p.identifier);
  const newestFirst = one === SECOND && two === FIRST;
  const creationOrder = one === FIRST && two === SECOND;
  const observed = newestFirst
    ? "newest first"
    : creationOrder
      ? "creation order"
      : `${one}, ${two}`;
  return verdict(observed, newestFirst, creationOrder);
}

export const participantsOnCreateProbe: Probe = {
  title: "Participants given on create: one JSON array, repeated values",
  rows: ["participantsJsonArray", "participantsRepeated", "participantListOrder"],
  budget: { sessions: 4, participants: 10 },
  async run(ctx) {
    skipIfRefused(ctx);
    const [a, b, c] = [FIRST, SECOND, THIRD].map((n) => ({ Identifier: n }));
    const array = await twoAndThree(ctx, "array", asJson([a, b]), asJson([a, b, c]));
    ctx.observe("participantsJsonArray", array.observation);
    const repeated = await twoAndThree(ctx, "repeated", asJson(a, b), asJson(a, b, c));
    ctx.observe("participantsRepeated", repeated.observation);
    ctx.observe("participantListOrder", listOrder(repeated.listed));
  },
};

export const participantKeyCasingProbe: Probe = {
  title: "Participants given on create: snake_case and camelCase keys",
  rows: ["participantKeyCasing"],
  budget: { sessions: 2, participants: 2 },
  async run(ctx) {
    skipIfRefused(ctx);
    const snake = await createWithParticipants(
      ctx,
      "snake",
      asJson({ identifier: FIRST, friendly_name: "conformance snake" }),
    );
    const camel = await createWithParticipants(
      ctx,
      "camel",
      asJson({ identifier: FIRST, friendlyName: "conformance camel" }),
    );
    const kept = (r: typeof snake, name: string) => r.participants[0]?.friendly_name === name;
    const describeCreate = (r: typeof snake, name: string) =>
      isSuccess(r.answer)
        ? `${r.answer.status}, friendly_name ${kept(r, name) ? "kept" : "lost"}`
        : describe(r.answer);
    const observed =
      `snake_case ${describeCreate(snake, "conformance snake")}, ` +
      `camelCase ${describeCreate(camel, "conformance camel")}`;
    const snakeTaken = isSuccess(snake.answer) && kept(snake, "conformance snake");
    if (snakeTaken && isError(camel.answer, 80701)) {
      ctx.observe("participantKeyCasing", seen.default(observed));
    } else if (snakeTaken && isSuccess(camel.answer) && kept(camel, "conformance camel")) {
      ctx.observe("participantKeyCasing", seen.alternative(observed));
    } else {
      ctx.observe("participantKeyCasing", seen.neither(observed));
    }
  },
};
