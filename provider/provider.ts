// The ProxySession provider's implementation: one Twilio call per create, read, update and
// delete; none for check and diff. It is loaded at run time by the serialized stub
// (stub.ts), so it is never written into state.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { checkInputs } from "./check";
import { ClientOptions, TwilioProxyClient } from "./client";
import { ConfigSource, resolveSettings, type TwilioSettings } from "./config";
import { parseIsoDate } from "./dates";
import { diffSession, replacedFields, updateForm } from "./diff";
import {
  isNotFound,
  ProviderConfigError,
  SessionConflictError,
  SessionNotFoundError,
  TwilioApiError,
  TwilioProxyError,
  TwilioRequestError,
} from "./errors";
import { findByUniqueName } from "./find";
import {
  createForm,
  declaredIn,
  declaredOf,
  inputsFromLive,
  toOutputs,
  toSessionState,
  withDeclared,
} from "./session";
import type {
  ProxySessionInputs,
  ProxySessionOutputs,
  ProxySessionState,
  TwilioSession,
} from "./types";

export interface ProviderOptions {
  /** Where environment settings come from; defaults to process.env at call time. */
  env?: NodeJS.ProcessEnv;
  client?: ClientOptions;
  /** Receives check warnings; defaults to stderr, which the engine shows as diagnostics. */
  warn?: (message: string) => void;
}

/** How far Twilio's clock may differ from ours when its answer carries no Date header. */
const CLOCK_SKEW_MS = 60_000;

export class ProxySessionProvider implements dynamic.ResourceProvider<
  ProxySessionInputs,
  ProxySessionOutputs
> {
  private config: ConfigSource = () => undefined;

  constructor(private readonly options: ProviderOptions = {}) {}

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.config = (key) => req.config.get(key);
  }

  async check(
    _olds: unknown,
    news: ProxySessionInputs,
  ): Promise<dynamic.CheckResult<ProxySessionInputs>> {
    // news is whatever the program sent, not yet the typed inputs: check finds out.
    const { inputs, failures, warnings } = checkInputs(news as unknown as Record<string, unknown>);
    const warn = this.options.warn ?? ((m: string) => console.error(`warning: ${m}`));
    warnings.forEach(warn);
    return { inputs, failures };
  }

  async diff(
    _id: string,
    olds: ProxySessionOutputs,
    news: ProxySessionInputs,
  ): Promise<dynamic.DiffResult> {
    return diffSession(olds, news);
  }

  async create(inputs: ProxySessionInputs): Promise<dynamic.CreateResult<ProxySessionOutputs>> {
    const settings = this.settings();
    const client = this.client(settings);
    const session = inputs.adopt
      ? await this.adopt(client, inputs)
      : await this.createOnce(client, inputs, settings.adoptOnConflict);
    return { id: session.sid, outs: toOutputs(session, declaredOf(inputs)) };
  }

  async read(
    id: string,
    props?: ProxySessionOutputs,
  ): Promise<dynamic.ReadResult<ProxySessionOutputs>> {
    if (!props?.serviceSid) {
      throw new ProviderConfigError(
        "ProxySession cannot be imported (dynamic providers do not support `pulumi import`, " +
          'pulumi#16175); declare it with `adopt: true` or `adopt: "KC..."` instead',
      );
    }
    let live: TwilioSession;
    try {
      live = await this.client().fetchSession(props.serviceSid, id);
    } catch (err) {
      // Gone at Twilio: no id tells the engine to drop it from state.
      if (isNotFound(err)) return {};
      throw err;
    }
    const outs = toOutputs(live, declaredIn(props));
    return { id: live.sid, props: outs, inputs: inputsFromLive(outs) as ProxySessionOutputs };
  }

  async update(
    id: string,
    olds: ProxySessionOutputs,
    news: ProxySessionInputs,
  ): Promise<dynamic.UpdateResult<ProxySessionOutputs>> {
    const form = updateForm(olds, news);
    const declared = declaredOf(news);
    if (Object.keys(form).length === 0) {
      return { outs: withDeclared(olds, declared) };
    }
    const client = this.client();
    let session: TwilioSession;
    try {
      session = await client.updateSession(olds.serviceSid, id, form);
    } catch (err) {
      // A retry after a lost answer may meet the first attempt's effect (e.g. 80608 when
      // closing an already closed session). Converged is success.
      if (!(err instanceof TwilioRequestError && err.mayHaveApplied)) throw err;
      session = await client.fetchSession(olds.serviceSid, id);
      if (Object.keys(updateForm(toSessionState(session), news)).length > 0) throw err;
    }
    return { outs: toOutputs(session, declared) };
  }

  async delete(id: string, props: ProxySessionOutputs): Promise<void> {
    try {
      await this.client().deleteSession(props.serviceSid, id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private settings(): TwilioSettings {
    return resolveSettings(this.config, this.options.env ?? process.env);
  }

  private client(settings = this.settings()): TwilioProxyClient {
    return new TwilioProxyClient(settings, this.options.client);
  }

  private async createOnce(
    client: TwilioProxyClient,
    inputs: ProxySessionInputs,
    adoptOnConflict: boolean,
  ): Promise<TwilioSession> {
    const started = Date.now();
    try {
      return await client.createSession(inputs.serviceSid, createForm(inputs));
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
      return this.claimLostCreate(client, inputs, err, started);
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
  ): Promise<TwilioSession> {
    const byName = inputs.adopt === true;
    const key = byName ? inputs.uniqueName! : (inputs.adopt as string);
    const found = byName
      ? await findByUniqueName(client, inputs.serviceSid, key)
      : await client.fetchSession(inputs.serviceSid, key).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
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
    const form = updateForm(toSessionState(found), inputs);
    if (Object.keys(form).length === 0) return found;
    return client.updateSession(inputs.serviceSid, found.sid, form);
  }
}

/** Create-only fields that differ. Participants are not returned by Twilio, so not compared. */
function createOnlyMismatch(found: TwilioSession, inputs: ProxySessionInputs): string[] {
  const live = toSessionState(found);
  return replacedFields(live, inputs)
    .filter((k) => k !== "participants")
    .map((k) => {
      const was = JSON.stringify(live[k as keyof ProxySessionState]);
      return `${k} is ${was}, declared ${JSON.stringify(inputs[k as keyof ProxySessionInputs])}`;
    });
}
