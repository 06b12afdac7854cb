// Probes of the session list. They read the first page of the Service's list, which may hold
// sessions the run did not create: of those only sids and dates are compared, never shown.
import type { Probe } from "../probe";
import { seen, verdict } from "../rows";
import { describe, field, isError, isSuccess, type Answer } from "../transport";

interface ListedSession {
  sid: string;
  date_created: string;
}

interface Meta {
  page_size?: unknown;
  next_page_url?: unknown;
  previous_page_url?: unknown;
}

const sessionsOf = (a: Answer) => (field(a, "sessions") ?? []) as ListedSession[];
const metaOf = (a: Answer) => (field(a, "meta") ?? {}) as Meta;

/** The emulator's order: date_created, then sid (both compare as strings in Twilio's format). */
function inEmulatorOrder(a: ListedSession, b: ListedSession): boolean {
  return a.date_created < b.date_created || (a.date_created === b.date_created && a.sid <= b.sid);
}

function pageToken(url: unknown): string | null {
  if (typeof url !== "string") return null;
  try {
    return new URL(url).searchParams.get("PageToken");
  } catch {
    return null; // not absolute
  }
}

export const pagingProbe: Probe = {
  title: "Paging: Page without PageToken, PageSize above 100, page tokens, order",
  rows: ["pageWithoutToken", "pageSizeMax", "pageTokens", "listOrder"],
  budget: { sessions: 2, participants: 0 },
  async run(ctx) {
    // Two sessions of our own, so that the list has a second item whatever the account holds.
    for (const label of ["page-a", "page-b"]) {
      const created = await ctx.createSession([
        ["UniqueName", ctx.name(label)],
        ["Ttl", "3600"],
      ]);
      ctx.expectSuccess(created, "creating a session");
    }
    const first = await ctx.send({ method: "GET", path: "Sessions?PageSize=20" });
    ctx.expectSuccess(first, "listing sessions");
    const page0 = sessionsOf(first);

    const pairs = page0.slice(1).map((s, i) => [page0[i], s] as const);
    const ascending = pairs.every(([a, b]) => inEmulatorOrder(a, b));
    const descending = pairs.every(([a, b]) => inEmulatorOrder(b, a));
    const order = `${page0.length} sessions on page 0`;
    if (ascending) ctx.observe("listOrder", seen.default(`${order}, oldest first`));
    else
      ctx.observe(
        "listOrder",
        seen.neither(`${order}, ${descending ? "newest first" : "unordered"}`),
      );

    const offset = await ctx.send({ method: "GET", path: "Sessions?PageSize=1&Page=1" });
    const got = sessionsOf(offset)[0]?.sid;
    if (isError(offset, 20001)) {
      ctx.observe(
        "pageWithoutToken",
        seen.default(`${describe(offset)} ${offset.message ?? ""}`.trim()),
      );
    } else if (isSuccess(offset) && got !== undefined && got === page0[1]?.sid) {
      ctx.observe("pageWithoutToken", seen.alternative(`${offset.status}, the 2nd session`));
    } else {
      const which =
        got === undefined
          ? "no session"
          : got === page0[0]?.sid
            ? "page 0 again"
            : "another session";
      ctx.observe(
        "pageWithoutToken",
        seen.neither(isSuccess(offset) ? `${offset.status}, ${which}` : describe(offset)),
      );
    }

    const big = await ctx.send({ method: "GET", path: "Sessions?PageSize=101" });
    const size = metaOf(big).page_size;
    const sized = isSuccess(big) ? `meta.page_size ${JSON.stringify(size)}` : describe(big);
    ctx.observe(
      "pageSizeMax",
      verdict(sized, isSuccess(big) && size === 100, isSuccess(big) && size === 101),
    );

    // Follow next_page_url as a client does, if it leads back to the same server.
    const one = await ctx.send({ method: "GET", path: "Sessions?PageSize=1" });
    const next = metaOf(one).next_page_url;
    const problems: string[] = [];
    const nextToken = pageToken(next);
    if (typeof next !== "string") problems.push(`next_page_url ${JSON.stringify(next)}`);
    else if (nextToken === null) problems.push("next_page_url not absolute or without PageToken");
    else if (!nextToken.startsWith("PA")) problems.push("next token not PA…");
    const sameOrigin = typeof next === "string" && next.startsWith(`${ctx.origin}/`);
    if (nextToken !== null && !sameOrigin) problems.push("next_page_url on another host");
    if (nextToken !== null && sameOrigin) {
      const second = await ctx.send({ method: "GET", path: next as string });
      if (!isSuccess(second)) problems.push(`next page ${describe(second)}`);
      else if (sessionsOf(second)[0]?.sid !== page0[1]?.sid)
        problems.push("next page not the 2nd session");
      const previousToken = pageToken(metaOf(second).previous_page_url);
      if (isSuccess(second) && !previousToken?.startsWith("PB"))
        problems.push("previous token not PB…");
    }
    const bogus = await ctx.send({
      method: "GET",
      path: "Sessions?PageSize=1&PageToken=PAnotAToken",
    });
    if (!(bogus.status === 400 && bogus.code === 21481))
      problems.push(`bad token ${describe(bogus)}`);
    ctx.observe(
      "pageTokens",
      problems.length === 0
        ? seen.default("absolute next_page_url, PA…/PB… tokens, bad token 400 21481")
        : seen.neither(problems.join(", ")),
    );
  },
};
