// The resource's public face: what a Pulumi program declares and reads back.
import * as pulumi from "@pulumi/pulumi";
import { providerStub } from "./stub";
import type { ParticipantArgs, ProxySessionArgs, SessionMode, SessionStatus } from "./types";

/**
 * A Twilio Proxy Session. `ttl`, `dateExpiry` and `status` update in place; `serviceSid`,
 * `uniqueName`, `mode` and `participants` replace the session. The resource id is the
 * session SID (KC...).
 */
export class ProxySession extends pulumi.dynamic.Resource {
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
    const dateExpiry =
      args.dateExpiry === undefined
        ? undefined
        : pulumi.output(args.dateExpiry).apply((d) => (d instanceof Date ? d.toISOString() : d));
    super(
      providerStub,
      name,
      {
        ...OUTPUTS_ONLY,
        ...args,
        dateExpiry,
      },
      opts,
      "twilio",
      "ProxySession",
    );
  }
}

// Registering output-only properties as undefined makes the engine fill them in.
const OUTPUTS_ONLY = {
  sid: undefined,
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
