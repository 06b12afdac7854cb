// A stand-in for whatever may answer in Twilio's place: a corporate proxy's error page, a captive
// portal, another API. It answers every request with the same status and body, and records them.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ImpostorAnswer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export interface Impostor {
  /** `http://127.0.0.1:<port>`, to use as the provider's base URL. */
  baseUrl: string;
  /** `METHOD path` of each request received. */
  requests: string[];
  close(): Promise<void>;
}

export const HTML_404: ImpostorAnswer = {
  status: 404,
  contentType: "text/html; charset=utf-8",
  body: "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
};

export const HTML_200: ImpostorAnswer = {
  status: 200,
  contentType: "text/html; charset=utf-8",
  body: "<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body>Welcome</body></html>",
};

/** A JSON 404 that is not Twilio's error envelope (no Twilio code), e.g. an API gateway's. */
export const JSON_404: ImpostorAnswer = {
  status: 404,
  contentType: "application/json",
  body: JSON.stringify({ error: "no route", status: 404 }),
};

export async function startImpostor(answer: ImpostorAnswer): Promise<Impostor> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(answer.status, { ...answer.headers, "Content-Type": answer.contentType });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
