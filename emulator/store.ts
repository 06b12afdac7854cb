import type { Clock } from "./clock";
import { Errors } from "./errors";
import { canonicalSid, newPoolNumber, newSid } from "./ids";
import { applyExpiry, checkUpdate, close, reopen, start } from "./lifecycle";
import type {
  ParticipantRecord,
  ServiceRecord,
  SessionMode,
  SessionRecord,
  SessionStatus,
} from "./model";
import { compareKeys, type Sortable, type SortKey } from "./pagination";
import {
  MAX_PARTICIPANTS,
  type CreateInput,
  type ParticipantInput,
  type UpdateInput,
} from "./params";
import type { ReadingSwitches } from "./readings";

export interface OutOfBandPatch {
  ttl?: number;
  status?: SessionStatus;
  dateExpiry?: number | null;
  closedReason?: string | null;
}

/**
 * Services, sessions and their participants, plus the Twilio semantics that need more than one
 * record (unique names, lookups). Every accessor applies lazy expiry first, so callers never see a
 * session that should already have expired.
 */
export class Store {
  private services = new Map<string, ServiceRecord>();
  private sessions = new Map<string, SessionRecord>();
  /**
   * Sort keys of every session ever created, deleted ones included: a page token names the last
   * session of the previous page, and that session may be deleted before the next page is read.
   */
  private keys = new Map<string, SortKey>();

  constructor(
    private readonly clock: Clock,
    private readonly accountSid: string,
    private readonly defaultServiceSid: string,
    private readonly readings: ReadingSwitches,
  ) {
    this.reset();
  }

  reset(): void {
    this.services.clear();
    this.sessions.clear();
    this.keys.clear();
    this.services.set(this.defaultServiceSid, { sid: this.defaultServiceSid, defaultTtl: 0 });
  }

  createService(defaultTtl: number): ServiceRecord {
    const service = { sid: newSid("KS"), defaultTtl };
    this.services.set(service.sid, service);
    return service;
  }

  listServices(): ServiceRecord[] {
    return [...this.services.values()];
  }

  getService(sid: string): ServiceRecord | undefined {
    const canonical = canonicalSid("KS", sid);
    return canonical === undefined ? undefined : this.services.get(canonical);
  }

  createSession(service: ServiceRecord, input: CreateInput): SessionRecord {
    if (input.uniqueName !== undefined && this.nameTaken(service.sid, input.uniqueName)) {
      throw Errors.duplicateUniqueName(input.uniqueName, this.readings);
    }
    const now = this.clock.nowSeconds();
    const status: SessionStatus = input.status ?? "open";
    const mode: SessionMode = input.mode ?? "voice-and-message";
    const s: SessionRecord = {
      sid: newSid("KC"),
      serviceSid: service.sid,
      accountSid: this.accountSid,
      uniqueName: input.uniqueName ?? null,
      status,
      mode,
      ttl: input.ttl ?? service.defaultTtl,
      dateExpiry: input.dateExpiry ?? null,
      dateStarted: null,
      dateEnded: null,
      dateLastInteraction: null,
      closedReason: null,
      dateCreated: now,
      dateUpdated: now,
      openedAt: now,
      participants: [],
    };
    for (const p of input.participants) this.addParticipantTo(s, p, now);
    // Status is accepted on create per the enum; a session created closed needs an end date.
    if (status === "closed") close(s, now, "api");
    if (status === "in-progress") start(s, now);
    applyExpiry(s, now, this.readings);
    this.sessions.set(s.sid, s);
    this.keys.set(s.sid, { scope: s.serviceSid, dateCreated: s.dateCreated, sid: s.sid });
    return s;
  }

  /** Fetch under the fetchByUniqueName alternative: a sid, else a unique name. */
  findForFetch(service: ServiceRecord, sidOrName: string): SessionRecord | undefined {
    return this.findBySid(service, sidOrName) ?? this.byUniqueName(service.sid, sidOrName);
  }

  findBySid(service: ServiceRecord, sid: string): SessionRecord | undefined {
    const canonical = canonicalSid("KC", sid);
    const s = canonical === undefined ? undefined : this.sessions.get(canonical);
    return s && s.serviceSid === service.sid ? this.fresh(s) : undefined;
  }

  /** Across services, for the control API. */
  findAnywhere(sid: string): SessionRecord | undefined {
    const canonical = canonicalSid("KC", sid);
    const s = canonical === undefined ? undefined : this.sessions.get(canonical);
    return s && this.fresh(s);
  }

  updateSession(s: SessionRecord, input: UpdateInput): SessionRecord {
    const now = this.clock.nowSeconds();
    this.fresh(s);
    const nextStatus = checkUpdate(s, input.status, this.readings);
    let changed = false;
    if (nextStatus === "in-progress") {
      reopen(s, now);
      changed = true;
    } else if (nextStatus === "closed") {
      close(s, now, "api");
      changed = true;
    }
    if (input.ttl !== undefined && input.ttl !== s.ttl) {
      s.ttl = input.ttl;
      changed = true;
    }
    if (input.dateExpiry !== undefined && input.dateExpiry !== s.dateExpiry) {
      s.dateExpiry = input.dateExpiry;
      changed = true;
    }
    // An update that changes nothing leaves date_updated alone, so repeated no-ops are invisible.
    if (changed) s.dateUpdated = now;
    return this.fresh(s);
  }

  /** CreateParticipant: the rules of reference §1.3 and the participant readings. */
  addParticipant(s: SessionRecord, input: ParticipantInput): ParticipantRecord {
    this.fresh(s);
    this.refuseIfClosed(s);
    return this.addParticipantTo(s, input, this.clock.nowSeconds());
  }

  /** DeleteParticipant: a soft delete; the record stays with its session. */
  removeParticipant(s: SessionRecord, p: ParticipantRecord): void {
    this.fresh(s);
    this.refuseIfClosed(s);
    const now = this.clock.nowSeconds();
    p.dateDeleted = now;
    p.dateUpdated = now;
  }

  /**
   * What ListParticipant shows, in participantOrder: deleted ones too, unless the
   * deletedParticipantsInList alternative.
   */
  visibleParticipants(s: SessionRecord): ParticipantRecord[] {
    const hideDeleted = this.readings.isAlternative("deletedParticipantsInList");
    return s.participants
      .filter((p) => p.dateDeleted === null || !hideDeleted)
      .sort(this.participantOrder(s));
  }

  /**
   * ListParticipant's order (the participantListOrder reading): newest first by default,
   * creation order as the alternative. `s.participants` is in creation order, which a
   * date_created to the second cannot tell within one create.
   */
  participantOrder(s: SessionRecord): (a: Sortable, b: Sortable) => number {
    const position = (x: Sortable) => s.participants.findIndex((p) => p.sid === x.sid);
    const sign = this.readings.isAlternative("participantListOrder") ? 1 : -1;
    return (a, b) => sign * (position(a) - position(b));
  }

  findParticipant(s: SessionRecord, sid: string): ParticipantRecord | undefined {
    const canonical = canonicalSid("KP", sid);
    return this.visibleParticipants(s).find((p) => p.sid === canonical);
  }

  /** Page-token boundaries: any participant the session ever had, deleted ones included. */
  participantKey(s: SessionRecord, sid: string): SortKey | undefined {
    const p = s.participants.find((x) => x.sid === sid);
    return p && { scope: s.sid, dateCreated: p.dateCreated, sid: p.sid };
  }

  private refuseIfClosed(s: SessionRecord): void {
    if (s.status === "closed" && !this.readings.isAlternative("participantsOnClosedSession")) {
      throw Errors.sessionClosed(this.readings);
    }
  }

  private addParticipantTo(s: SessionRecord, input: ParticipantInput, now: number) {
    const live = s.participants.filter((p) => p.dateDeleted === null);
    const counted = this.readings.isAlternative("deletedParticipantsCount") ? live : s.participants;
    if (counted.length >= MAX_PARTICIPANTS) throw Errors.tooManyParticipants();
    const same = s.participants.filter((p) => p.identifier === input.identifier);
    // A deleted participant "cannot be re-added" (OpenAPI); a live duplicate is a reading.
    const duplicateAllowed = this.readings.isAlternative("duplicateParticipantIdentifier");
    if (same.some((p) => p.dateDeleted !== null || !duplicateAllowed)) {
      throw Errors.duplicateParticipant(input.identifier);
    }
    const p: ParticipantRecord = {
      ...input,
      // Twilio picks a proxy number from the Service's pool when none is given (OpenAPI).
      proxyIdentifier: input.proxyIdentifier ?? newPoolNumber(),
      proxyIdentifierSid: input.proxyIdentifierSid ?? newSid("PN"),
      sid: newSid("KP"),
      dateCreated: now,
      dateUpdated: now,
      dateDeleted: null,
    };
    s.participants.push(p);
    return p;
  }

  deleteSession(s: SessionRecord): void {
    this.sessions.delete(s.sid);
  }

  /** Sessions of one service in list order. */
  listSessions(serviceSid: string): SessionRecord[] {
    return [...this.sessions.values()]
      .filter((s) => s.serviceSid === serviceSid)
      .map((s) => this.fresh(s))
      .sort(compareKeys);
  }

  allSessions(): SessionRecord[] {
    return [...this.sessions.values()].map((s) => this.fresh(s)).sort(compareKeys);
  }

  sortKey(sid: string): SortKey | undefined {
    return this.keys.get(sid);
  }

  /** Simulates traffic through the proxy number; closed sessions take no interactions. */
  recordInteraction(s: SessionRecord): SessionRecord | undefined {
    this.fresh(s);
    if (s.status === "closed") return undefined;
    const now = this.clock.nowSeconds();
    s.dateLastInteraction = now;
    start(s, now);
    s.dateUpdated = now;
    return s;
  }

  /**
   * Out-of-band change for drift tests: no transition rules, only the bookkeeping that keeps the
   * record self-consistent (an end date when closed, none when not).
   */
  patchSession(s: SessionRecord, patch: OutOfBandPatch): SessionRecord {
    const now = this.clock.nowSeconds();
    this.fresh(s);
    if (patch.ttl !== undefined) s.ttl = patch.ttl;
    if (patch.dateExpiry !== undefined) s.dateExpiry = patch.dateExpiry;
    if (patch.status !== undefined && patch.status !== s.status) {
      if (patch.status === "closed") {
        close(s, now, "api");
      } else {
        if (s.status === "closed") s.openedAt = now;
        s.status = patch.status;
        s.dateEnded = null;
        s.closedReason = null;
        if (patch.status === "in-progress") s.dateStarted ??= now;
      }
    }
    if (patch.closedReason !== undefined) s.closedReason = patch.closedReason;
    s.dateUpdated = now;
    return this.fresh(s);
  }

  /** Closed sessions keep their name unless the closedSessionKeepsUniqueName alternative frees it. */
  private nameTaken(serviceSid: string, name: string): boolean {
    const freedOnClose = this.readings.isAlternative("closedSessionKeepsUniqueName");
    return this.holders(serviceSid, name).some((s) => s.status !== "closed" || !freedOnClose);
  }

  /** The live holder of a name first: closed ones may share it once names are freed on close. */
  private byUniqueName(serviceSid: string, name: string): SessionRecord | undefined {
    const holders = this.holders(serviceSid, name);
    return holders.find((s) => s.status !== "closed") ?? holders[0];
  }

  private holders(serviceSid: string, name: string): SessionRecord[] {
    return [...this.sessions.values()]
      .filter((s) => s.serviceSid === serviceSid && s.uniqueName === name)
      .map((s) => this.fresh(s));
  }

  private fresh(s: SessionRecord): SessionRecord {
    applyExpiry(s, this.clock.nowSeconds(), this.readings);
    return s;
  }
}
