// Probes of sessions without participants: a new session, addressing by unique name, names in
// use, empty values, updates and status transitions.
import { formatTwilioDate } from "../../emulator/dates";
import { NotObserved, type Probe, type ProbeContext } from "../probe";
import { seen, verdict } from "../rows";
import { describe, field, isError, isSuccess, type Answer, type Form } from "../transport";

const TWILIO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Creates a session and returns its sid; the probe stops if the server refuses. */
async function newSession(ctx: ProbeContext, form: Form): Promise<{ sid: string; answer: Answer }> {
  const answer = await ctx.createSession(form);
  ctx.expectSuccess(answer, "creating a session");
  return { sid: field(answer, "sid") as string, answer };
}

function update(ctx: ProbeContext, sid: string, form: Form): Promise<Answer> {
  return ctx.send({ method: "POST", path: `Sessions/${sid}`, form });
}

/** Every `date_*` value of a session or participant is null or Twilio's UTC format. */
function badDates(answer: Answer): string[] {
  const body = (answer.body ?? {}) as Record<string, unknown>;
  return Object.entries(body)
    .filter(([key, value]) => key.startsWith("date_") && value !== null)
    .filter(([, value]) => typeof value !== "string" || !TWILIO_DATE.test(value))
    .map(([key, value]) => `${key} ${JSON.stringify(value)}`);
}

/** The same instant written in UTC+02:00, as a Go client would send it. */
const withOffset = (epochSeconds: number) =>
  new Date((epochSeconds + 7200) * 1000).toISOString().replace(/\.\d{3}Z$/, "+02:00");

export const newSessionProbe: Probe = {
  title: "A new session: its fields, dates, unknown parameters",
  rows: ["newSessionNulls", "createDefaults", "dates", "unknownParameters"],
  budget: { sessions: 1, participants: 0 },
  async run(ctx) {
    const { sid, answer: created } = await newSession(ctx, [["UniqueName", ctx.name("new")]]);
    const started = field(created, "date_started");
    const reason = field(created, "closed_reason");
    const nulls = `date_started ${JSON.stringify(started)}, closed_reason ${JSON.stringify(reason)}`;
    ctx.observe(
      "newSessionNulls",
      started === null && reason === null ? seen.default(nulls) : seen.neither(nulls),
    );
    const [mode, status] = [field(created, "mode"), field(created, "status")];
    const defaults = `mode ${mode}, status ${status}`;
    ctx.observe(
      "createDefaults",
      mode === "voice-and-message" && status === "open"
        ? seen.default(defaults)
        : seen.neither(defaults),
    );

    const expiry = Math.floor(Date.now() / 1000) + 2 * 86400;
    const dated = await update(ctx, sid, [["DateExpiry", withOffset(expiry)]]);
    const wrong = [...badDates(created), ...badDates(dated)];
    if (!isSuccess(dated)) {
      ctx.observe("dates", seen.neither(`DateExpiry with +02:00: ${describe(dated)}`));
    } else if (field(dated, "date_expiry") !== formatTwilioDate(expiry)) {
      const echoed = JSON.stringify(field(dated, "date_expiry"));
      ctx.observe("dates", seen.neither(`DateExpiry with +02:00 read back as ${echoed}`));
    } else if (wrong.length > 0) {
      ctx.observe("dates", seen.neither(wrong.join(", ")));
    } else {
      ctx.observe("dates", seen.default("UTC …Z out; +02:00 in, read back in UTC"));
    }

    const unknown = await update(ctx, sid, [
      ["Ttl", "3600"],
      ["ConformanceUnknownParameter", "1"],
    ]);
    ctx.observe(
      "unknownParameters",
      isSuccess(unknown) && field(unknown, "ttl") === 3600
        ? seen.default(`${describe(unknown)}, Ttl applied`)
        : seen.neither(`${describe(unknown)} ${unknown.message ?? ""}`.trim()),
    );
  },
};

export const uniqueNameAddressingProbe: Probe = {
  title: "Addressing a session by its unique name",
  rows: ["fetchByUniqueName", "writeByUniqueName"],
  budget: { sessions: 1, participants: 0 },
  async run(ctx) {
    const name = ctx.name("fetch");
    const { sid } = await newSession(ctx, [
      ["UniqueName", name],
      ["Ttl", "3600"],
    ]);
    const byName = await ctx.send({ method: "GET", path: `Sessions/${name}` });
    const byUnknownName = await ctx.send({ method: "GET", path: `Sessions/${ctx.name("absent")}` });
    const found = isSuccess(byName) && field(byName, "sid") === sid;
    const fetched =
      `by name ${found ? `${byName.status}, the session` : describe(byName)}, ` +
      `by an unknown name ${describe(byUnknownName)}`;
    ctx.observe(
      "fetchByUniqueName",
      verdict(
        fetched,
        isError(byName, 20404) && isError(byUnknownName, 20404),
        found && isError(byUnknownName, 80308),
      ),
    );

    const updated = await update(ctx, name, [["Ttl", "3600"]]);
    const deleted = await ctx.send({ method: "DELETE", path: `Sessions/${name}` });
    const written = `update ${describe(updated)}, delete ${describe(deleted)}`;
    ctx.observe(
      "writeByUniqueName",
      isError(updated, 20404) && isError(deleted, 20404)
        ? seen.default(written)
        : seen.neither(written),
    );
  },
};

export const namesInUseProbe: Probe = {
  title: "Unique names in use, and after the session closes",
  rows: ["uniqueNames", "closedSessionKeepsUniqueName"],
  budget: { sessions: 3, participants: 0 },
  async run(ctx) {
    const name = ctx.name("taken");
    const form: Form = [
      ["UniqueName", name],
      ["Ttl", "3600"],
    ];
    const { sid } = await newSession(ctx, form);
    const again = await ctx.createSession(form);
    if (!isError(again, 80603)) {
      ctx.observe("uniqueNames", seen.neither(`second create ${describe(again)}`));
      throw new NotObserved("unique names are not unique");
    }
    ctx.observe("uniqueNames", seen.default(`second create ${describe(again)}`));

    const closed = await update(ctx, sid, [["Status", "closed"]]);
    ctx.expectSuccess(closed, "closing the session");
    const afterClose = await ctx.createSession(form);
    const observed = `create after close ${describe(afterClose)}`;
    ctx.observe(
      "closedSessionKeepsUniqueName",
      verdict(observed, isError(afterClose, 80603), isSuccess(afterClose)),
    );
  },
};

export const emptyValuesProbe: Probe = {
  title: "Empty UniqueName and DateExpiry",
  rows: ["emptyUniqueName", "emptyDateExpiry"],
  budget: { sessions: 2, participants: 0 },
  async run(ctx) {
    const unnamed = await ctx.createSession([
      ["UniqueName", ""],
      ["Ttl", "3600"],
    ]);
    if (isError(unnamed, 80701)) {
      ctx.observe("emptyUniqueName", seen.default(describe(unnamed)));
    } else if (isSuccess(unnamed) && field(unnamed, "unique_name") === null) {
      ctx.observe("emptyUniqueName", seen.alternative(`${describe(unnamed)}, unique_name null`));
    } else {
      const name = JSON.stringify(field(unnamed, "unique_name"));
      ctx.observe(
        "emptyUniqueName",
        seen.neither(
          isSuccess(unnamed) ? `${unnamed.status}, unique_name ${name}` : describe(unnamed),
        ),
      );
    }

    const expiry = formatTwilioDate(Math.floor(Date.now() / 1000) + 86400);
    const { sid } = await newSession(ctx, [
      ["UniqueName", ctx.name("expiry")],
      ["DateExpiry", expiry],
    ]);
    const cleared = await update(ctx, sid, [["DateExpiry", ""]]);
    const after = JSON.stringify(field(cleared, "date_expiry"));
    if (isError(cleared, 80701)) ctx.observe("emptyDateExpiry", seen.default(describe(cleared)));
    else if (isSuccess(cleared) && field(cleared, "date_expiry") === null) {
      ctx.observe("emptyDateExpiry", seen.alternative(`${cleared.status}, date_expiry null`));
    } else {
      ctx.observe(
        "emptyDateExpiry",
        seen.neither(
          isSuccess(cleared) ? `${cleared.status}, date_expiry ${after}` : describe(cleared),
        ),
      );
    }
  },
};

export const updatesProbe: Probe = {
  title: "Updates: same status, create-only parameters, transitions, closed sessions",
  rows: [
    "sameStatusUpdate",
    "createOnlyParamsOnUpdate",
    "allowedTransitions",
    "closedSessionUpdates",
    "statusFieldChanges",
  ],
  budget: { sessions: 1, participants: 0 },
  async run(ctx) {
    const name = ctx.name("updates");
    const { sid } = await newSession(ctx, [
      ["UniqueName", name],
      ["Ttl", "3600"],
    ]);
    const set = (form: Form) => update(ctx, sid, form);

    const sameOpen = await set([
      ["Status", "open"],
      ["Ttl", "3601"],
    ]);
    const renamed = await set([["UniqueName", ctx.name("renamed")]]);
    const remoded = await set([["Mode", "message-only"]]);
    ctx.observe(
      "createOnlyParamsOnUpdate",
      createOnlyVerdict([
        ["UniqueName", renamed, "unique_name", name],
        ["Mode", remoded, "mode", "voice-and-message"],
      ]),
    );

    const openToInProgress = await set([["Status", "in-progress"]]);
    const closed = await set([["Status", "closed"]]);
    if (!isSuccess(closed)) {
      ctx.observe("allowedTransitions", seen.neither(`open → closed ${describe(closed)}`));
      throw new NotObserved(`closing the session: ${describe(closed)}`);
    }
    const closedUpdates: Array<[string, Answer]> = [
      ["empty", await set([])],
      ["closed", await set([["Status", "closed"]])],
      ["open", await set([["Status", "open"]])],
    ];
    const closedSeen = closedUpdates.map(([what, a]) => `${what} ${describe(a)}`).join(", ");
    ctx.observe(
      "closedSessionUpdates",
      closedUpdates.every(([, a]) => isError(a, 80607))
        ? seen.default(closedSeen)
        : seen.neither(closedSeen),
    );

    const reopened = await set([["Status", "in-progress"]]);
    if (!isSuccess(reopened)) {
      ctx.observe("allowedTransitions", seen.neither(`closed → in-progress ${describe(reopened)}`));
      throw new NotObserved(`re-opening the session: ${describe(reopened)}`);
    }
    ctx.observe("statusFieldChanges", fieldChangesVerdict(closed, reopened));
    const sameInProgress = await set([["Status", "in-progress"]]);
    const inProgressToOpen = await set([["Status", "open"]]);

    const transitions =
      `open → in-progress ${describe(openToInProgress)}, open → closed ${closed.status}, ` +
      `closed → in-progress ${reopened.status}, in-progress → open ${describe(inProgressToOpen)}`;
    ctx.observe(
      "allowedTransitions",
      isError(openToInProgress, 80608) && isError(inProgressToOpen, 80608)
        ? seen.default(transitions)
        : seen.neither(transitions),
    );

    const same = `open ${describe(sameOpen)}, in-progress ${describe(sameInProgress)}`;
    if (isError(sameOpen, 80608) && isError(sameInProgress, 80608)) {
      ctx.observe("sameStatusUpdate", seen.default(same));
    } else if (
      isSuccess(sameOpen) &&
      field(sameOpen, "status") === "open" &&
      field(sameOpen, "ttl") === 3601 &&
      isSuccess(sameInProgress) &&
      field(sameInProgress, "status") === "in-progress"
    ) {
      ctx.observe("sameStatusUpdate", seen.alternative(`${same}, Ttl applied`));
    } else {
      ctx.observe("sameStatusUpdate", seen.neither(same));
    }
  },
};

/** Refused as 80701 naming the parameter (default), or 200 with the value untouched (alternative). */
function createOnlyVerdict(tries: Array<[string, Answer, string, unknown]>) {
  const parts = tries.map(([param, a, key, before]) => {
    if (isError(a, 80701) && (a.message ?? "").includes(`'${param}'`)) {
      return { param, text: `${describe(a)} '${param}'`, refused: true, ignored: false };
    }
    const ignored = isSuccess(a) && field(a, key) === before;
    const text = isSuccess(a) ? `${a.status} (${ignored ? "ignored" : "applied"})` : describe(a);
    return { param, text, refused: false, ignored };
  });
  const observed = parts.map((p) => `${p.param} ${p.text}`).join(", ");
  return verdict(
    observed,
    parts.every((p) => p.refused),
    parts.every((p) => p.ignored),
  );
}

/** What the emulator does: reason 'api' and an end date on close; both cleared on re-open. */
function fieldChangesVerdict(closed: Answer, reopened: Answer) {
  const reason = field(closed, "closed_reason");
  const ended = field(closed, "date_ended");
  const observed =
    `close: closed_reason ${JSON.stringify(reason)}, date_ended ${ended === null ? "null" : "set"}; ` +
    `re-open: closed_reason ${JSON.stringify(field(reopened, "closed_reason"))}, ` +
    `date_ended ${field(reopened, "date_ended") === null ? "null" : "set"}, ` +
    `date_started ${field(reopened, "date_started") === null ? "null" : "set"}`;
  const asEmulator =
    reason === "api" &&
    typeof ended === "string" &&
    field(reopened, "closed_reason") === null &&
    field(reopened, "date_ended") === null &&
    typeof field(reopened, "date_started") === "string";
  return asEmulator ? seen.default(observed) : seen.neither(observed);
}
