import { Errors } from "./errors";
import { canonicalSid } from "./ids";
import type { ReadingSwitches } from "./readings";

/** List order: date_created, then sid (reference §5). */
export interface Sortable {
  dateCreated: number;
  sid: string;
}

/** Where a page token points: a record of one list (`scope`: its Service or Session). */
export interface SortKey extends Sortable {
  scope: string;
}

export function compareKeys(a: Sortable, b: Sortable): number {
  if (a.dateCreated !== b.dateCreated) return a.dateCreated - b.dateCreated;
  return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
}

export const DEFAULT_PAGE_SIZE = 50;
/**
 * The operation summary says at most 100 per page, the PageSize description says 1000
 * (reference §5): the pageSizeMax reading. Larger values are clamped rather than rejected.
 */
export const PAGE_SIZE_CAP = 100;
export const PAGE_SIZE_CAP_ALTERNATIVE = 1000;

export interface PageToken {
  direction: "after" | "before";
  sid: string;
}

export interface PageRequest {
  pageSize: number;
  page: number;
  token?: PageToken;
  rawToken?: string;
}

export interface PageMeta {
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  url: string;
  next_page_url: string | null;
  key: string;
}

/**
 * A PageSize or Page that is not a positive (resp. non-negative) integer is 80701 at HTTP 400,
 * like every other Proxy parameter error, rather than the generic 20422.
 */
function parseIntParam(query: URLSearchParams, name: string, min: number): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) {
    throw Errors.invalidParam(name);
  }
  return Number(v);
}

/**
 * Tokens look like Twilio's (`PA`/`PB` + the sid at the page boundary, reference §5). Only the
 * syntax is checked here; whether the sid belongs to the listed collection is checked in
 * `paginate`.
 */
function parseToken(raw: string): PageToken {
  const prefix = raw.slice(0, 2);
  const sid = canonicalSid(raw.slice(2, 4), raw.slice(2));
  if ((prefix !== "PA" && prefix !== "PB") || sid === undefined) throw Errors.invalidPageToken();
  return { direction: prefix === "PA" ? "after" : "before", sid };
}

export function parsePageRequest(query: URLSearchParams, readings: ReadingSwitches): PageRequest {
  const max = readings.isAlternative("pageSizeMax") ? PAGE_SIZE_CAP_ALTERNATIVE : PAGE_SIZE_CAP;
  const pageSize = Math.min(parseIntParam(query, "PageSize", 1) ?? DEFAULT_PAGE_SIZE, max);
  const page = parseIntParam(query, "Page", 0) ?? 0;
  const rawToken = query.get("PageToken") ?? "";
  // An empty PageToken is what a client sends when it has no token: treat it as absent.
  if (rawToken === "") {
    if (page > 0 && !readings.isAlternative("pageWithoutToken")) {
      throw Errors.pageTokenRequired();
    }
    return { pageSize, page };
  }
  return { pageSize, page, token: parseToken(rawToken), rawToken };
}

export interface Page<T> {
  items: T[];
  meta: PageMeta;
}

/**
 * Offset paging when there is no token (Page * PageSize; only page 0 unless the pageWithoutToken
 * alternative allows more), cursor paging when there is one. Cursors keep a walk along
 * next_page_url exact even when sessions are created or deleted in between. Every URL in meta
 * carries a token unless it is a page 0, so following them never needs offset paging.
 */
export function paginate<T extends Sortable>(
  sorted: T[],
  req: PageRequest,
  listUrl: string,
  scope: string,
  keyOf: (sid: string) => SortKey | undefined,
  key: string,
  /** The order of `sorted`, which cursors follow; date_created, then sid, unless given. */
  compare: (a: Sortable, b: Sortable) => number = compareKeys,
): Page<T> {
  const url = (page: number, token?: string) =>
    `${listUrl}?PageSize=${req.pageSize}&Page=${page}` +
    (token === undefined ? "" : `&PageToken=${encodeURIComponent(token)}`);
  const firstPageUrl = url(0);

  let items: T[];
  let hasNext: boolean;
  let hasPrev: boolean;
  if (req.token === undefined) {
    const offset = req.page * req.pageSize;
    items = sorted.slice(offset, offset + req.pageSize);
    hasNext = offset + req.pageSize < sorted.length;
    hasPrev = req.page > 0;
  } else {
    const boundary = keyOf(req.token.sid);
    if (boundary === undefined || boundary.scope !== scope) {
      throw Errors.invalidPageToken();
    }
    if (req.token.direction === "after") {
      const after = sorted.filter((s) => compare(s, boundary) > 0);
      items = after.slice(0, req.pageSize);
      hasNext = after.length > req.pageSize;
      hasPrev = sorted.length > after.length;
    } else {
      const before = sorted.filter((s) => compare(s, boundary) < 0);
      items = before.slice(Math.max(0, before.length - req.pageSize));
      hasPrev = before.length > req.pageSize;
      hasNext = sorted.length > before.length;
    }
  }

  const first = items[0];
  const last = items[items.length - 1];
  let next: string | null = null;
  if (hasNext) next = last ? url(req.page + 1, `PA${last.sid}`) : firstPageUrl;
  let previous: string | null = null;
  if (hasPrev) previous = first ? url(Math.max(0, req.page - 1), `PB${first.sid}`) : firstPageUrl;

  return {
    items,
    meta: {
      page: req.page,
      page_size: req.pageSize,
      first_page_url: firstPageUrl,
      previous_page_url: previous,
      url: url(req.page, req.rawToken),
      next_page_url: next,
      key,
    },
  };
}
