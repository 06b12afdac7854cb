// The resource's public face: what a Pulumi program declares and reads back.
import * as pulumi from "@pulumi/pulumi";
import { urlFromStored } from "./stored";
import { providerModule } from "./stub";
import type { ParticipantState, ProxySessionArgs, SessionMode, SessionStatus } from "./types";

/**
 * A Twilio Proxy Session: two participants talking through masked numbers.
 *
 * `ttl`, `dateExpiry`, `status` and `participants` update in place (participants wherever
 * Twilio can change them); `serviceSid`, `uniqueName` and `mode` replace the session. Only
 * declared fields can drift. The resource id is the session SID (KC...). Credentials come from
 * stack config (`twilio:username`, `twilio:password`) or the environment (`TWILIO_*`).
 *
 * Pulumi's dynamic provider (`pulumi-nodejs`) manages it, as it manages a
 * `pulumi.dynamic.Resource`, with the small hand-written `__provider` of stub.ts.
 *
 * @example
 * new ProxySession("trip-1042", {
 *   serviceSid: "KS...",
 *   uniqueName: "trip-1042",
 *   ttl: 3600,
 *   participants: [{ identifier: rider.phone }, { identifier: driver.phone }],
 * });
 */
export class ProxySession extends pulumi.CustomResource {
  /** The session's SID (KC...): also the resource's id. */
  declare readonly sid: pulumi.Output<string>;
  /** The Proxy Service (KS...) the session belongs to. */
  declare readonly serviceSid: pulumi.Output<string>;
  /** The account (AC...) that owns the session. */
  declare readonly accountSid: pulumi.Output<string>;
  /** The session's unique name in its Service, or null. */
  declare readonly uniqueName: pulumi.Output<string | null>;
  /** How participants may talk: `message-only`, `voice-only` or `voice-and-message`. */
  declare readonly mode: pulumi.Output<SessionMode>;
  /** `open` (unused), `in-progress` (used or re-opened), `closed`, `failed` or `unknown`. */
  declare readonly status: pulumi.Output<SessionStatus>;
  /** Seconds of inactivity before Twilio closes the session; 0 for none. */
  declare readonly ttl: pulumi.Output<number>;
  /** When Twilio closes the session (ISO 8601, UTC), if a date was set. */
  declare readonly dateExpiry: pulumi.Output<string | null>;
  /** When the session started (first became in-progress); null before. */
  declare readonly dateStarted: pulumi.Output<string | null>;
  /** When the session closed; null while it is active. */
  declare readonly dateEnded: pulumi.Output<string | null>;
  /** When the session last had an interaction; null before the first. */
  declare readonly dateLastInteraction: pulumi.Output<string | null>;
  /** Why the session closed (Twilio's free text); null while it is active. */
  declare readonly closedReason: pulumi.Output<string | null>;
  /** When the session was created (ISO 8601, UTC). */
  declare readonly dateCreated: pulumi.Output<string | null>;
  /** When the session last changed. */
  declare readonly dateUpdated: pulumi.Output<string | null>;
  /** The session's absolute URL at Twilio. */
  declare readonly url: pulumi.Output<string | null>;
  /** URLs of the session's Interactions and Participants (its `url` plus a suffix). */
  declare readonly links: pulumi.Output<{ interactions?: string; participants?: string } | null>;
  /**
   * The session's participants: as Twilio lists them (with their SIDs) once a refresh or an
   * update has read them, as declared until then; empty when none are declared.
   */
  declare readonly participants: pulumi.Output<ParticipantState[]>;
  /**
   * Identifiers of the participants removed from the session, if any: Twilio keeps them, and
   * does not add them again.
   */
  declare readonly removedParticipants: pulumi.Output<string[] | undefined>;

  /**
   * @param name The resource's name in the stack (not sent to Twilio; use `uniqueName` for that).
   * @param args What the session must be: see {@link ProxySessionArgs}.
   * @param opts Pulumi's resource options (`aliases` keeps a renamed resource's session).
   */
  constructor(name: string, args: ProxySessionArgs, opts?: pulumi.CustomResourceOptions) {
    // What pulumi.dynamic.Resource does (same type token, so the same URNs), with our text.
    super(
      "pulumi-nodejs:dynamic/twilio:ProxySession",
      name,
      {
        ...OUTPUTS_ONLY,
        ...args,
        dateExpiry: isoDate(args.dateExpiry),
        __provider: providerModule,
      },
      opts,
    );
    // Derived rather than stored in state (stored.ts, session.ts withDeclared).
    this.sid = this.id;
    this.url = pulumi
      .all([this.url, this.serviceSid, this.id])
      .apply(([url, serviceSid, id]) => urlFromStored(url, serviceSid, id));
    this.links = this.url.apply(linksOf);
  }
}

// The engine cannot carry a Date, and pulumi.output() would flatten one to {}: send text.
function isoDate(d: ProxySessionArgs["dateExpiry"]): pulumi.Input<string> | undefined {
  const toText = (v: string | Date) => (v instanceof Date ? v.toISOString() : v);
  if (d === undefined || typeof d === "string") return d;
  if (d instanceof Date) return d.toISOString();
  if (pulumi.Output.isInstance(d)) return d.apply(toText);
  return Promise.resolve(d).then(toText);
}

// Registering every output as undefined makes the engine fill in the ones not declared.
const OUTPUTS_ONLY = {
  serviceSid: undefined,
  uniqueName: undefined,
  mode: undefined,
  status: undefined,
  ttl: undefined,
  dateExpiry: undefined,
  participants: undefined,
  accountSid: undefined,
  dateStarted: undefined,
  dateEnded: undefined,
  dateLastInteraction: undefined,
  closedReason: undefined,
  dateCreated: undefined,
  dateUpdated: undefined,
  url: undefined,
  removedParticipants: undefined,
};

/** Twilio's `links` of a session: its URL plus a suffix each (reference §1.1). */
function linksOf(url: string | null | undefined) {
  return url ? { interactions: `${url}/Interactions`, participants: `${url}/Participants` } : null;
}
