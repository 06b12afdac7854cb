// Finding a session by its unique name. Twilio's fetch may accept a unique name in place of the
// SID (its path parameter has no KC pattern, and error 80308 "Session with the unique name not
// found" exists), but no Twilio document or client does it. So a name lookup asks the fetch
// once and, when Twilio answers with its generic 20404 rather than 80308, lists the Service's
// sessions instead: correct either way, one request when names resolve.
import { MAX_PAGE_SIZE, sessionPath, sessionsPath, type TwilioProxyClient } from "./client";
import { isGone, isTwilioError, notGone } from "./errors";
import type { TwilioSession } from "./types";

/** The session named `uniqueName` in the Service, or undefined when there is none. */
export async function findByUniqueName(
  client: TwilioProxyClient,
  serviceSid: string,
  uniqueName: string,
): Promise<TwilioSession | undefined> {
  try {
    const session = await client.fetchSession(serviceSid, uniqueName);
    // A name shaped like a SID is resolved as a SID: then it is some other session.
    if (session.unique_name === uniqueName) return session;
  } catch (err) {
    const path = sessionPath(serviceSid, uniqueName);
    if (!isGone(err, path)) throw notGone(err, path, `finding session "${uniqueName}" stopped`);
    if (isTwilioError(err, 80308)) return undefined;
  }
  try {
    for await (const page of client.sessionPages(serviceSid, MAX_PAGE_SIZE)) {
      const found = page.sessions.find((s) => s.unique_name === uniqueName);
      if (found) return found;
    }
  } catch (err) {
    // No such Service: no such session either.
    const path = sessionsPath(serviceSid);
    if (!isGone(err, path)) throw notGone(err, path, `finding session "${uniqueName}" stopped`);
  }
  return undefined;
}
