// Raw HTTP to the Twilio Proxy API: the probes need every answer as it came (status, headers,
// body), so this is plain `fetch` with Basic auth and form bodies, and nothing that interprets
// answers except 429, which it retries after noting whether Retry-After came with it.

/** Where the run goes and as whom. */
export interface Target {
  /** e.g. https://proxy.twilio.com (no trailing slash, no /v1). */
  baseUrl: string;
  serviceSid: string;
  username: string;
  password: string;
}

/** Form parameters in order; a key may repeat (Participants). */
export type Form = ReadonlyArray<readonly [string, string]>;

/** Whose credentials go with a request: the run's, none, or a pair no account has. */
export type Credentials = "target" | "none" | "wrong";

/** A pair that authenticates nowhere: for the 401 probe, so no real secret is ever wrong. */
export const WRONG_CREDENTIALS = {
  username: "AC00000000000000000000000000000000",
  password: "conformanceProbeNotAToken",
};

export interface Request {
  method: string;
  /**
   * Below `/v1/Services/{ServiceSid}/` (e.g. `Sessions/KC…`); from the base URL's root when it
   * starts with `/`; or an absolute URL (a `next_page_url`) on the base URL's origin.
   */
  path: string;
  form?: Form;
  credentials?: Credentials;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Empty when the answer has no body. */
  text: string;
  /** The parsed body when it is JSON. */
  body: unknown;
  /** Twilio's error envelope fields, when the body has them. */
  code?: number;
  message?: string;
}

export interface LoggedAnswer {
  method: string;
  url: string;
  answer: Answer;
}

export interface Throttle {
  method: string;
  code?: number;
  retryAfter: string | null;
}

/** The run itself failed (network, timeouts, endless 429s): exit status 2. */
export class RunFailure extends Error {}

const MAX_ATTEMPTS = 5;
const MAX_WAIT_MS = 30_000;

export interface TransportOptions {
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Sees every request before it goes out (the dry run lists them). */
  onRequest?: (request: Request, url: string) => void;
}

export class Transport {
  /** Every answer, in order, 429s included: some rows are read from the whole run. */
  readonly answers: LoggedAnswer[] = [];
  readonly throttles: Throttle[] = [];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly target: Target,
    private readonly options: TransportOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    if (path.startsWith("/")) return `${this.target.baseUrl}${path}`;
    return `${this.target.baseUrl}/v1/Services/${this.target.serviceSid}/${path}`;
  }

  /** Credentials only ever go to the configured origin, whatever URL an answer suggested. */
  private checkOrigin(url: string): void {
    if (new URL(url).origin !== new URL(this.target.baseUrl).origin) {
      throw new RunFailure(`refusing to send a request outside ${this.target.baseUrl}: ${url}`);
    }
  }

  async send(request: Request): Promise<Answer> {
    const url = this.url(request.path);
    this.checkOrigin(url);
    for (let attempt = 1; ; attempt++) {
      this.options.onRequest?.(request, url);
      const answer = await this.once(request, url);
      this.answers.push({ method: request.method, url, answer });
      if (answer.status !== 429) return answer;
      const retryAfter = answer.headers.get("retry-after");
      this.throttles.push({ method: request.method, code: answer.code, retryAfter });
      if (attempt === MAX_ATTEMPTS) {
        throw new RunFailure(`${request.method} ${url}: still 429 after ${attempt} attempts`);
      }
      // Twilio's hint when it gives one, else our own exponential backoff.
      const hinted = retryAfter !== null ? Number(retryAfter) * 1000 : NaN;
      const wait = Number.isFinite(hinted) && hinted >= 0 ? hinted : 500 * 2 ** (attempt - 1);
      await this.sleep(Math.min(wait, MAX_WAIT_MS));
    }
  }

  private async once(request: Request, url: string): Promise<Answer> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const credentials = request.credentials ?? "target";
    if (credentials !== "none") {
      const pair = credentials === "wrong" ? WRONG_CREDENTIALS : this.target;
      const basic = Buffer.from(`${pair.username}:${pair.password}`).toString("base64");
      headers.Authorization = `Basic ${basic}`;
    }
    let body: string | undefined;
    if (request.form !== undefined) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(request.form.map(([k, v]): [string, string] => [k, v])).toString();
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: request.method,
        headers,
        body,
        // 0 means no timeout, as for the provider (TWILIO_TIMEOUT_MS).
        signal:
          this.options.timeoutMs > 0 ? AbortSignal.timeout(this.options.timeoutMs) : undefined,
      });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new RunFailure(
        `${request.method} ${url}: no answer (${(err as Error).message}${cause ? `, ${cause}` : ""})`,
      );
    }
    return toAnswer(res.status, res.headers, text);
  }
}

function toAnswer(status: number, headers: Headers, text: string): Answer {
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const envelope = (body ?? {}) as { code?: unknown; message?: unknown };
  return {
    status,
    headers,
    text,
    body,
    code: typeof envelope.code === "number" ? envelope.code : undefined,
    message: typeof envelope.message === "string" ? envelope.message : undefined,
  };
}

/** `409 80608`, `200`, `204`: how an answer reads in the table. */
export function describe(a: Answer): string {
  return a.code !== undefined && a.status >= 400 ? `${a.status} ${a.code}` : `${a.status}`;
}

/** An error answer with this Twilio code, whatever its HTTP status (that is its own row). */
export function isError(a: Answer, code: number): boolean {
  return a.status >= 400 && a.code === code;
}

export function isSuccess(a: Answer): boolean {
  return a.status >= 200 && a.status < 300;
}

/** A field of a JSON object body (sessions, participants, pages). */
export function field(a: Answer, key: string): unknown {
  const body = a.body;
  return typeof body === "object" && body !== null
    ? (body as Record<string, unknown>)[key]
    : undefined;
}
