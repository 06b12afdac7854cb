import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { authenticate } from "./auth";
import { CONTROL_PREFIX, handleControl } from "./control-routes";
import { Errors, TwilioErrorAnswer } from "./errors";
import type { InjectedKind } from "./faults";
import { json, parseForm, readBody, sendReply, type Reply } from "./http-util";
import type { RequestLogEntry } from "./request-log";
import type { EmulatorState } from "./state";
import { handleOperation, matchTwilioRoute, type OperationMatch } from "./twilio-routes";

export interface EmulatorServer {
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

function errorReply(err: TwilioErrorAnswer): Reply {
  return json(err.status, err.toBody(), err.headers);
}

/** Retry-After only under the retryAfter alternative: Twilio does not promise it for Proxy. */
function tooManyRequests(state: EmulatorState): TwilioErrorAnswer {
  const retryAfter = state.readings.isAlternative("retryAfter");
  return Errors.tooManyRequests(retryAfter ? state.faults.retryAfterSeconds : undefined);
}

const FAULT_REPLIES: Partial<Record<InjectedKind, (state: EmulatorState) => TwilioErrorAnswer>> = {
  rate429: tooManyRequests,
  concurrency429: tooManyRequests,
  rate500: () => Errors.internal(),
  rate503: () => Errors.unavailable(),
};

/**
 * The HTTP layer: dispatches to control or Twilio routes and applies latency and faults. It owns
 * every socket and timer it creates so close() finishes even while requests hang.
 */
export function createEmulatorServer(state: EmulatorState): EmulatorServer {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  /** Links in responses use the origin the client used, whatever host alias or port that was. */
  const originOf = (req: IncomingMessage, server: Server) => {
    if (req.headers.host) return `http://${req.headers.host}`;
    const addr = server.address() as AddressInfo;
    return `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
  };

  /** Every Twilio-route answer carries Twilio's request id and Date headers (reference §9). */
  function sendTwilio(res: ServerResponse, reply: Reply): void {
    sendReply(res, {
      ...reply,
      headers: {
        ...reply.headers,
        "Twilio-Request-Id": `RQ${randomBytes(16).toString("hex")}`,
        // Twilio's Date header is its clock; clients use it to place date_created in their time.
        Date: new Date(state.clock.nowMs()).toUTCString(),
      },
    });
  }

  async function handleTwilioOperation(
    req: IncomingMessage,
    res: ServerResponse,
    m: OperationMatch,
    url: URL,
    baseUrl: string,
    username: string | null,
  ): Promise<void> {
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    const form = method === "POST" ? parseForm(raw) : {};
    const entry: RequestLogEntry = state.recorder.record({
      operation: m.operation,
      method,
      path: url.pathname,
      query: parseForm(url.search.slice(1)),
      form,
      username,
    });
    // Auth comes first: a client with bad credentials gets 401, never a rate limit. Then the
    // concurrency limit, then the drawn faults: both on arrival, so concurrent requests are
    // judged (and consume the PRNG) in arrival order. Admitted requests stay in flight until
    // their connection is answered or closed, latency and hangs included.
    let fault: InjectedKind | null = null;
    // The account's requests in flight as this one arrives, itself included.
    const accountInFlight = state.recorder.inFlight + 1;
    if (username !== null) {
      if (state.faults.refusesConcurrent(state.recorder.inFlight)) {
        fault = "concurrency429";
      } else {
        // Out of flight once the answer is handed over ("finish"), or the connection is gone.
        const end = state.recorder.begin();
        res.once("finish", end);
        res.once("close", end);
        fault = state.faults.decide(method);
      }
    }
    entry.fault = fault;
    if (state.faults.latencyMs > 0) await delay(state.faults.latencyMs);
    if (req.socket.destroyed) return;

    const drop = (): void => {
      req.socket.destroy();
    };
    const faultReply = fault === null ? undefined : FAULT_REPLIES[fault];
    let reply: Reply;
    if (username === null) {
      reply = errorReply(Errors.authenticate());
    } else if (fault === "hang") {
      return; // the socket stays open until the client gives up or close() destroys it
    } else if (fault === "resetBefore") {
      return drop();
    } else if (faultReply) {
      reply = errorReply(faultReply(state));
    } else {
      try {
        reply = handleOperation(state, m, form, url.searchParams, baseUrl);
      } catch (err) {
        if (!(err instanceof TwilioErrorAnswer)) throw err;
        reply = errorReply(err);
      }
      if (fault === "resetAfter") return drop(); // the write happened; the answer never arrives
    }
    entry.status = reply.status;
    if (username !== null && state.readings.isAlternative("concurrentRequestsHeader")) {
      reply = {
        ...reply,
        headers: { ...reply.headers, "Twilio-Concurrent-Requests": String(accountInFlight) },
      };
    }
    sendTwilio(res, reply);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, server: Server) {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const baseUrl = originOf(req, server);

    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      const raw = await readBody(req);
      sendReply(res, handleControl(state, method, url.pathname, url.searchParams, raw, baseUrl));
      return;
    }
    // Authentication comes before routing: without credentials every path is 401, even a bad one.
    const username = authenticate(req.headers, state.credentials);
    const route = matchTwilioRoute(method, url.pathname);
    if (route.kind === "operation") {
      await handleTwilioOperation(req, res, route.match, url, baseUrl, username);
      return;
    }
    await readBody(req); // drain so the keep-alive connection stays usable
    let err: TwilioErrorAnswer;
    if (username === null) err = Errors.authenticate();
    else if (route.kind === "methodNotAllowed") err = Errors.methodNotAllowed(method);
    else err = Errors.notFound(url.pathname);
    sendTwilio(res, errorReply(err));
  }

  const server = createServer((req, res) => {
    handle(req, res, server).catch((err: unknown) => {
      const reply =
        err instanceof TwilioErrorAnswer ? errorReply(err) : errorReply(Errors.internal());
      if (!(err instanceof TwilioErrorAnswer)) console.error("emulator: unexpected error", err);
      const isControl = (req.url ?? "").startsWith(CONTROL_PREFIX);
      if (res.headersSent) res.destroy();
      else if (isControl) sendReply(res, reply);
      else sendTwilio(res, reply);
    });
  });
  server.on("connection", (socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        closing = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        // Hung requests and idle keep-alive sockets would otherwise keep close() waiting forever.
        for (const s of sockets) s.destroy();
        sockets.clear();
      }),
  };
}
