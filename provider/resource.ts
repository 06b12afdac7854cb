// The resource's public face: what a Pulumi program declares and reads back.
import * as pulumi from "@pulumi/pulumi";
import { providerModule } from "./stub";
import type { ParticipantArgs, ProxySessionArgs, SessionMode, SessionStatus } from "./types";

/**
 * A Twilio Proxy Session. `ttl`, `dateExpiry` and `status` update in place; `serviceSid`,
 * `uniqueName`, `mode` and `participants` replace the session. The resource id is the
 * session SID (KC...). Pulumi's dynamic provider (`pulumi-nodejs`) manages it, as it manages a
 * `pulumi.dynamic.Resource`, with the small hand-written `__provider` of stub.ts.
 */
export class ProxySession extends pulumi.CustomResource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly serviceSid: pulumi.Output<string>;
  declare readonly accountSid: pulumi.Output<string>;
  declare readonly uniqueName: pulumi.Output<string | null>;
  declare readonly mode: pulumi.Output<SessionMode>;
  declare readonly status: pulumi.Output<SessionStatus>;
  declare readonly ttl: pulumi.Output<number>;
  declare readonly dateExpiry: pulumi.Output<string | null>;
  declare readonly dateStarted: pulumi.Output<string | null>;
  declare readonly dateEnded: pulumi.Output<string | null>;
  declare readonly dateLastInteraction: pulumi.Output<string | null>;
  declare readonly closedReason: pulumi.Output<string | null>;
  declare readonly dateCreated: pulumi.Output<string | null>;
  declare readonly dateUpdated: pulumi.Output<string | null>;
  declare readonly url: pulumi.Output<string | null>;
  declare readonly links: pulumi.Output<{ interactions?: string; participants?: string } | null>;
  declare readonly participants: pulumi.Output<ParticipantArgs[]>;

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
  sid: undefined,
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
  links: undefined,
};
