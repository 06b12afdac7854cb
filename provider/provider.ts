// The ProxySession provider's implementation: one Twilio call per create, read, update and
// delete; none for check and diff. It is loaded at run time by the serialized stub
// (stub.ts), so it is never written into state.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { checkInputs } from "./check";
import { ClientOptions, MaybeApplied, TwilioProxyClient } from "./client";
import { ConfigSource, resolveSettings } from "./config";
import { parseIsoDate } from "./dates";
import { diffSession, replacedFields, updateForm } from "./diff";
import { isNotFound, isTwilioError } from "./errors";
import { createForm, declaredOf, inputsFromLive, toOutputs } from "./session";
import type { ProxySessionInputs, ProxySessionOutputs, TwilioSession } from "./types";

export interface ProviderOptions {
  /** Where environment settings come from; defaults to process.env at call time. */
  env?: NodeJS.ProcessEnv;
  client?: ClientOptions;
  /** Receives check warnings; defaults to stderr, which the engine shows as diagnostics. */
  warn?: (message: string) => void;
}

/** How far Twilio's clock may run behind ours when deciding "created by this attempt". */
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
    const client = this.client();
    const session = inputs.adopt
      ? await this.adopt(client, inputs)
      : await this.createOnce(client, inputs);
    return {
      id: session.sid,
      outs: toOutputs(session, declaredOf(inputs)),
    };
  }

  async read(
    id: string,
    props?: ProxySessionOutputs,
  ): Promise<dynamic.ReadResult<ProxySessionOutputs>> {
    if (!props?.serviceSid) {
      throw new Error(
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
    // State written before `declared` existed falls back to "only the service was declared".
    const outs = toOutputs(
      live,
      props.declared ?? { serviceSid: props.serviceSid, participants: props.participants },
    );
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
      return { outs: { ...olds, participants: declared.participants ?? [], declared } };
    }
    const client = this.client();
    let session: TwilioSession;
    try {
      session = await client.updateSession(olds.serviceSid, id, form);
    } catch (err) {
      // A retry after a lost answer may meet the first attempt's effect (e.g. 80608 when
      // closing an already closed session). Converged is success.
      if (!(err as MaybeApplied).afterLostAnswer) throw err;
      session = await client.fetchSession(olds.serviceSid, id);
      if (Object.keys(updateForm(this.liveOutputs(session, olds), news)).length > 0) throw err;
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

  private client(): TwilioProxyClient {
    return new TwilioProxyClient(
      resolveSettings(this.config, this.options.env ?? process.env),
      this.options.client,
    );
  }

  private liveOutputs(s: TwilioSession, olds: ProxySessionOutputs): ProxySessionOutputs {
    return toOutputs(s, olds.declared ?? { serviceSid: olds.serviceSid });
  }

  private async createOnce(
    client: TwilioProxyClient,
    inputs: ProxySessionInputs,
  ): Promise<TwilioSession> {
    const started = Date.now();
    try {
      return await client.createSession(inputs.serviceSid, createForm(inputs));
    } catch (err) {
      // The answer to an earlier attempt was lost and the retry met our own unique name:
      // take the session if it is the one that attempt created.
      if (!(err as MaybeApplied).afterLostAnswer || !isTwilioError(err, 80603)) throw err;
      const found = await client.fetchSession(inputs.serviceSid, inputs.uniqueName!);
      const created = parseIsoDate(found.date_created ?? "") ?? 0;
      const mismatch = this.createOnlyMismatch(found, inputs);
      if (mismatch.length === 0 && created >= started - CLOCK_SKEW_MS) return found;
      throw err;
    }
  }

  /** Takes over an existing session, then converges its in-place fields. */
  private async adopt(
    client: TwilioProxyClient,
    inputs: ProxySessionInputs,
  ): Promise<TwilioSession> {
    const key = inputs.adopt === true ? inputs.uniqueName! : (inputs.adopt as string);
    let found: TwilioSession;
    try {
      found = await client.fetchSession(inputs.serviceSid, key);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      throw new Error(
        `adopt: no session ${inputs.adopt === true ? "with uniqueName" : "with SID"} ` +
          `"${key}" exists in Service ${inputs.serviceSid}; remove adopt to create one`,
        { cause: err },
      );
    }
    const mismatch = this.createOnlyMismatch(found, inputs);
    if (mismatch.length > 0) {
      throw new Error(
        `adopt: session ${found.sid} differs in fields Twilio cannot change: ` +
          `${mismatch.join("; ")}. Declare the live values, or remove adopt to create a new session`,
      );
    }
    const live = toOutputs(found, declaredOf(inputs));
    const form = updateForm(live, inputs);
    if (Object.keys(form).length === 0) return found;
    return client.updateSession(inputs.serviceSid, found.sid, form);
  }

  /** Create-only fields that differ. Participants are not returned by Twilio, so not compared. */
  private createOnlyMismatch(found: TwilioSession, inputs: ProxySessionInputs): string[] {
    const live = toOutputs(found, declaredOf(inputs));
    return replacedFields(live, inputs)
      .filter((k) => k !== "participants")
      .map(
        (k) =>
          `${k} is ${JSON.stringify(live[k as keyof ProxySessionOutputs])}, declared ${JSON.stringify(inputs[k as keyof ProxySessionInputs])}`,
      );
  }
}
