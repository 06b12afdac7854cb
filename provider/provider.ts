// The ProxySession provider's implementation: one Twilio call per create, read, update and
// delete; none for check and diff. It is loaded at run time by the serialized stub
// (stub.ts), so it is never written into state.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { checkInputs } from "./check";
import { ClientOptions, participantsPath, sessionPath, TwilioProxyClient } from "./client";
import {
  checkBaseUrlSetting,
  ConfigSource,
  RENAMED_KEYS,
  refuseBadConfigKeys,
  resolveSettings,
  type TwilioSettings,
} from "./config";
import { parseIsoDate } from "./dates";
import {
  diffSession,
  knownParticipants,
  participantsDrifted,
  participantsObstacle,
  replacedFields,
  updateForm,
} from "./diff";
import {
  isGone,
  notGone,
  SessionConflictError,
  SessionNotFoundError,
  TwilioApiError,
  TwilioProxyError,
  TwilioRequestError,
} from "./errors";
import { findByUniqueName } from "./find";
import {
  fromListing,
  inPlaceObstacle,
  matches,
  participantChanges,
  toParticipantState,
  type ParticipantsKnown,
} from "./participants";
import {
  createForm,
  declaredIn,
  declaredOf,
  inputsFromLive,
  toOutputs,
  toSessionState,
  withDeclared,
} from "./session";
import { fromStored, isFullForm, toStored, type StoredOutputs } from "./stored";
import type {
  Participant,
  ParticipantState,
  ProxySessionInputs,
  ProxySessionOutputs,
  ProxySessionState,
  SessionUpdateForm,
  TwilioSession,
} from "./types";

export interface ProviderOptions {
  /** Where environment settings come from; defaults to process.env at call time. */
  env?: NodeJS.ProcessEnv;
  client?: ClientOptions;
  /** Receives check warnings; defaults to stderr, which the engine shows as diagnostics. */
  warn?: (message: string) => void;
}

/**
 * The full keys (`twilio:username`) of the stack config given to configure. The dynamic-provider
 * host's Config keeps them in `rawConfig`; its interface offers only get(), so where that field
 * is missing (another host, a test's stub) the keys of earlier releases are still asked for.
 */
function stackConfigKeys(config: dynamic.Config): string[] {
  const raw = (config as { rawConfig?: unknown }).rawConfig;
  const known = raw && typeof raw === "object" ? Object.keys(raw) : [];
  const asked = Object.keys(RENAMED_KEYS).filter((k) => config.get(k) !== undefined);
  return [...new Set([...known, ...asked])];
}

/** How far Twilio's clock may differ from ours when its answer carries no Date header. */
const CLOCK_SKEW_MS = 60_000;

export class ProxySessionProvider implements dynamic.ResourceProvider<
  ProxySessionInputs,
  StoredOutputs
> {
  private config: ConfigSource = () => undefined;
  private readonly warned = new Set<string>();

  constructor(private readonly options: ProviderOptions = {}) {}

  /**
   * The engine calls this before the first check, so a stack config mistake (a key of an earlier
   * release, an unknown `twilio-proxy:` key) stops `pulumi preview` even when nothing changes,
   * before any request, as the bridged Twilio provider's CheckConfig does.
   */
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.config = (key) => req.config.get(key);
    refuseBadConfigKeys(stackConfigKeys(req.config));
    // A wrong base URL fails here, before any resource is read or deleted through it.
    checkBaseUrlSetting(this.config, this.options.env ?? process.env);
  }

  async check(
    _olds: unknown,
    news: ProxySessionInputs,
  ): Promise<dynamic.CheckResult<ProxySessionInputs>> {
    // news is whatever the program sent, not yet the typed inputs: check finds out.
    const { inputs, failures, warnings } = checkInputs(news as unknown as Record<string, unknown>);
    warnings.forEach((m) => this.warn(m));
    return { inputs, failures };
  }

  async diff(
    id: string,
    stored: StoredOutputs,
    news: ProxySessionInputs,
  ): Promise<dynamic.DiffResult> {
    const olds = fromStored(id, stored);
    const obstacle = participantsObstacle(olds, news);
    if (obstacle) {
      this.warnOnce(`session ${olds.sid} is replaced to change its participants: ${obstacle}`);
    }
    return diffSession(olds, news);
  }

  async create(inputs: ProxySessionInputs): Promise<dynamic.CreateResult<StoredOutputs>> {
    const settings = this.settings();
    const client = this.client(settings);
    const declared = declaredOf(inputs);
    if (inputs.adopt) {
      const { session, participants } = await this.adopt(client, inputs);
      return { id: session.sid, outs: toStored(toOutputs(session, declared, participants)) };
    }
    const created = await this.createOnce(client, inputs, settings.adoptOnConflict);
    const participants =
      created.participants ??
      (await this.listCreated(client, created.session, inputs.participants));
    const outs = toOutputs(created.session, declared, participants);
    return { id: created.session.sid, outs: toStored(outs) };
  }

  /**
   * The participants Twilio gave a new session, as the next refresh will read them (create's
   * answer has none: no SIDs, no proxy numbers): one ListParticipant, none without
   * participants. The session exists by now, and a create that throws would lose it from
   * state: when the listing fails, the outputs keep the declared participants instead, and the
   * next refresh reads them.
   */
  private async listCreated(
    client: TwilioProxyClient,
    session: TwilioSession,
    declared: Participant[] | undefined,
  ): Promise<ParticipantsKnown | undefined> {
    if (!declared?.length) return undefined;
    try {
      return fromListing(await client.listParticipants(session.service_sid, session.sid));
    } catch (err) {
      this.warn(
        `session ${session.sid} was created, but its participants could not be read ` +
          `(${(err as Error).message}); \`pulumi refresh\` reads them`,
      );
      return undefined;
    }
  }

  async read(id: string, stored?: StoredOutputs): Promise<dynamic.ReadResult<StoredOutputs>> {
    if (!stored?.serviceSid) {
      throw new TwilioProxyError(
        "ProxySession cannot be imported (dynamic providers do not support `pulumi import`, " +
          'pulumi#16175); declare it with `adopt: true` or `adopt: "KC..."` instead',
      );
    }
    const client = this.client();
    const props = fromStored(id, stored);
    const declared = declaredIn(props);
    let live: TwilioSession;
    let participants: ParticipantsKnown | undefined;
    try {
      live = await client.fetchSession(props.serviceSid, id);
      // Participants are read only when declared: only declared fields can drift.
      if (declared.participants !== undefined) {
        const listed = await client.listParticipants(props.serviceSid, id);
        participants = fromListing(listed, knownParticipants(props));
      }
    } catch (err) {
      // Gone at Twilio (Twilio's own not-found for this session): no id tells the engine to
      // drop it from state. Any other 404 stops the refresh with the session kept.
      const path = sessionPath(props.serviceSid, id);
      if (isGone(err, path) || isGone(err, participantsPath(props.serviceSid, id))) return {};
      throw notGone(
        err,
        path,
        `refresh of session ${id} stopped, and nothing was dropped from state`,
      );
    }
    const outs = toOutputs(live, declared, participants);
    return {
      id: live.sid,
      props: toStored(outs, isFullForm(stored)),
      inputs: inputsFromLive(outs) as StoredOutputs,
    };
  }

  async update(
    id: string,
    stored: StoredOutputs,
    news: ProxySessionInputs,
  ): Promise<dynamic.UpdateResult<StoredOutputs>> {
    const olds = fromStored(id, stored);
    const declared = declaredOf(news);
    if (!diffSession(olds, news).changes) {
      return { outs: toStored(withDeclared(olds, declared, knownParticipants(olds))) };
    }
    const { session, participants } = await this.converge(this.client(), olds, news);
    const outs = session
      ? toOutputs(session, declared, participants)
      : withDeclared(olds, declared, participants);
    return { outs: toStored(outs) };
  }

  async delete(id: string, props: StoredOutputs): Promise<void> {
    try {
      await this.client().deleteSession(props.serviceSid, id);
    } catch (err) {
      // Already gone at Twilio is deleted; any other 404 keeps the session in state.
      const path = sessionPath(props.serviceSid, id);
      if (!isGone(err, path)) {
        throw notGone(err, path, `delete of session ${id} stopped, and it stays in state`);
      }
    }
  }

  private settings(): TwilioSettings {
    return resolveSettings(this.config, this.options.env ?? process.env);
  }

  private client(settings = this.settings()): TwilioProxyClient {
    return new TwilioProxyClient(settings, this.options.client);
  }

  private warn(message: string): void {
    (this.options.warn ?? ((m: string) => console.error(`warning: ${m}`)))(message);
  }

  /**
   * A warning said once per process, i.e. per operation: the engine asks for the same diff
   * more than once (a replacement's steps, an `up`'s preview and update) and would print each.
   */
  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warn(message);
  }

  /**
   * Makes a live session what `news` declares, in place: its fields in one request, its
   * participants one request each. A re-opening comes first and a closing last, since Twilio
   * changes nothing of a closed session. `session` is Twilio's answer, when fields changed.
   */
  private async converge(
    client: TwilioProxyClient,
    live: Omit<ProxySessionState, "links"> &
      Pick<ProxySessionOutputs, "participants" | "removedParticipants">,
    news: ProxySessionInputs,
  ): Promise<{ session?: TwilioSession; participants: ParticipantsKnown }> {
    const form = updateForm(live, news);
    const closing = form.Status === "closed";
    let session: TwilioSession | undefined;
    if (Object.keys(form).length > 0 && !closing) {
      session = await this.updateFields(client, live, form, news);
    }
    let participants = knownParticipants(live);
    if (participantsDrifted(live, news)) {
      participants = await this.convergeParticipants(
        client,
        live,
        participants,
        news.participants!,
      );
    }
    if (closing) session = await this.updateFields(client, live, form, news);
    return { session, participants };
  }

  /** One UpdateSession; a retry that meets its own lost first attempt's effect is success. */
  private async updateFields(
    client: TwilioProxyClient,
    live: Pick<ProxySessionState, "sid" | "serviceSid">,
    form: SessionUpdateForm,
    news: ProxySessionInputs,
  ): Promise<TwilioSession> {
    try {
      return await client.updateSession(live.serviceSid, live.sid, form);
    } catch (err) {
      // E.g. 80608 when closing a session the lost attempt already closed.
      if (!(err instanceof TwilioRequestError && err.mayHaveApplied)) throw err;
      const session = await client.fetchSession(live.serviceSid, live.sid);
      if (Object.keys(updateForm(toSessionState(session), news)).length > 0) throw err;
      return session;
    }
  }

  /**
   * Removes the participants the declaration no longer matches, then adds the missing ones,
   * one request each. A participant to remove that is known only from the declaration (state
   * written by create: Twilio's answer carries none) has no SID yet: the list is read first.
   */
  private async convergeParticipants(
    client: TwilioProxyClient,
    session: Pick<ProxySessionState, "sid" | "serviceSid">,
    known: ParticipantsKnown,
    declared: Participant[],
  ): Promise<ParticipantsKnown> {
    const { serviceSid, sid } = session;
    let changes = participantChanges(declared, known.current);
    if (changes.remove.some((p) => p.sid === undefined)) {
      known = fromListing(await client.listParticipants(serviceSid, sid), known);
      changes = participantChanges(declared, known.current);
    }
    const obstacle = inPlaceObstacle(changes, known);
    if (obstacle) {
      throw new SessionConflictError(
        `the participants of session ${sid} cannot change in place: ${obstacle}. Run ` +
          `\`pulumi up --replace <urn>\` to replace the session, or declare its participants`,
      );
    }
    for (const p of changes.remove) {
      // Already gone (removed out of band, or by an interrupted run) is removed.
      await client.deleteParticipant(serviceSid, sid, p.sid!).catch((err: unknown) => {
        const path = `${participantsPath(serviceSid, sid)}/${encodeURIComponent(p.sid!)}`;
        if (!isGone(err, path)) throw notGone(err, path, `removing participant ${p.sid} stopped`);
      });
    }
    const added: ParticipantState[] = [];
    for (const p of changes.add) added.push(await this.addParticipant(client, session, p));
    return {
      current: [...known.current.filter((p) => !changes.remove.includes(p)), ...added],
      removed: [...known.removed, ...changes.remove.map((p) => p.identifier)],
    };
  }

  /**
   * Adds one participant. When the answer was lost, or Twilio refuses because the session
   * already has it (an interrupted run added it, unknown to state), the participant as Twilio
   * lists it is the result.
   */
  private async addParticipant(
    client: TwilioProxyClient,
    session: Pick<ProxySessionState, "sid" | "serviceSid">,
    participant: Participant,
  ): Promise<ParticipantState> {
    try {
      return toParticipantState(
        await client.createParticipant(session.serviceSid, session.sid, participant),
      );
    } catch (err) {
      const lost = err instanceof TwilioRequestError && err.mayHaveApplied;
      const refused = err instanceof TwilioApiError && err.status >= 400 && err.status < 500;
      if (!lost && !refused) throw err;
      const listed = await client.listParticipants(session.serviceSid, session.sid);
      const found = fromListing(listed).current.find((p) => matches(participant, p));
      if (!found) throw err;
      return found;
    }
  }

  private async createOnce(
    client: TwilioProxyClient,
    inputs: ProxySessionInputs,
    adoptOnConflict: boolean,
  ): Promise<{ session: TwilioSession; participants?: ParticipantsKnown }> {
    const started = Date.now();
    try {
      return { session: await client.createSession(inputs.serviceSid, createForm(inputs)) };
    } catch (err) {
      const lostAnswer = err instanceof TwilioRequestError && err.mayHaveApplied;
      if (lostAnswer && inputs.uniqueName === undefined) {
        throw new TwilioProxyError(
          `the answer to the create request was lost, so a session may have been created at ` +
            `Twilio without this stack knowing it; it was not retried, to avoid a duplicate. ` +
            `List the Service's sessions to find it, or declare a uniqueName so that retries are ` +
            `safe. (${(err as Error).message})`,
          { cause: err },
        );
      }
      if (!(err instanceof TwilioApiError) || err.code !== 80603) throw err;
      // Recovery after an interrupted run: the session may exist although state lost it.
      if (adoptOnConflict) return this.adopt(client, { ...inputs, adopt: true });
      if (!lostAnswer) {
        throw new SessionConflictError(
          `uniqueName "${inputs.uniqueName}" is already used by another session in Service ` +
            `${inputs.serviceSid}. If you renamed this resource in the program, add ` +
            `\`aliases: [{ name: "<old name>" }]\` to its options so that Pulumi keeps the ` +
            `session instead of creating a new one before deleting the old; to manage the ` +
            `existing session, declare adopt: true. (${err.message})`,
          { cause: err },
        );
      }
      return { session: await this.claimLostCreate(client, inputs, err, started) };
    }
  }

  /**
   * The answer to an earlier attempt was lost and a retry met our own unique name (80603):
   * take the session if that attempt created it, i.e. it has the declared create-time fields
   * and Twilio created it after the first attempt began, by Twilio's clock (read from the Date
   * of its 80603 answer; both are to the second, hence the slack).
   */
  private async claimLostCreate(
    client: TwilioProxyClient,
    inputs: ProxySessionInputs,
    conflict: TwilioApiError,
    started: number,
  ): Promise<TwilioSession> {
    const serverStart =
      conflict.serverDate === undefined
        ? started - CLOCK_SKEW_MS
        : conflict.serverDate - (Date.now() - started);
    const found = await findByUniqueName(client, inputs.serviceSid, inputs.uniqueName!);
    // Deleted since: a plain retry of the create is then the way forward.
    if (!found) throw conflict;
    const created = parseIsoDate(found.date_created ?? "") ?? 0;
    const asDeclared =
      createOnlyMismatch(found, inputs).length === 0 &&
      Object.keys(updateForm(toSessionState(found), inputs)).length === 0;
    if (asDeclared && created >= serverStart - 2000) return found;
    throw new SessionConflictError(
      `uniqueName "${inputs.uniqueName}" is already used by session ${found.sid} ` +
        `(created ${found.date_created}), which this create did not make. Declare it with ` +
        `adopt: true to manage it, or choose another uniqueName. (${conflict.message})`,
      { cause: conflict },
    );
  }

  /** Takes over an existing session, then converges its in-place fields. */
  private async adopt(
    client: TwilioProxyClient,
    inputs: ProxySessionInputs,
  ): Promise<{ session: TwilioSession; participants?: ParticipantsKnown }> {
    const byName = inputs.adopt === true;
    const key = byName ? inputs.uniqueName! : (inputs.adopt as string);
    const found = byName
      ? await findByUniqueName(client, inputs.serviceSid, key)
      : await client.fetchSession(inputs.serviceSid, key).catch((err: unknown) => {
          const path = sessionPath(inputs.serviceSid, key);
          if (isGone(err, path)) return undefined;
          throw notGone(err, path, `adopt of session ${key} stopped`);
        });
    if (!found) {
      const by = byName ? "uniqueName" : "sid";
      throw new SessionNotFoundError(inputs.serviceSid, by, key, {
        message:
          `adopt: no session with ${by === "sid" ? "SID" : by} "${key}" exists in Service ` +
          `${inputs.serviceSid}; remove adopt to create one`,
      });
    }
    const mismatch = createOnlyMismatch(found, inputs);
    if (mismatch.length > 0) {
      throw new SessionConflictError(
        `adopt: session ${found.sid} differs in fields Twilio cannot change: ` +
          `${mismatch.join("; ")}. Declare the live values, or remove adopt to create a new session`,
      );
    }
    // Declared participants are compared with Twilio's and converged like an update.
    const known = fromListing(
      inputs.participants === undefined
        ? []
        : await client.listParticipants(inputs.serviceSid, found.sid),
    );
    const converged = await this.converge(
      client,
      { ...toSessionState(found), participants: known.current, removedParticipants: known.removed },
      inputs,
    );
    return {
      session: converged.session ?? found,
      participants: inputs.participants === undefined ? undefined : converged.participants,
    };
  }
}

/** Create-only fields that differ (participants can change in place: not among them). */
function createOnlyMismatch(found: TwilioSession, inputs: ProxySessionInputs): string[] {
  const live = toSessionState(found);
  return replacedFields(live, inputs).map((k) => {
    const was = JSON.stringify(live[k as keyof ProxySessionState]);
    return `${k} is ${was}, declared ${JSON.stringify(inputs[k as keyof ProxySessionInputs])}`;
  });
}
