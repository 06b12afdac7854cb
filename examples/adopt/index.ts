// Bring sessions created elsewhere under management without recreating them
// (dynamic providers cannot `pulumi import`, pulumi#16175).
import * as pulumi from "@pulumi/pulumi";
import { ProxySession } from "pulumi-twilio-proxy";

export = async () => {
  const config = new pulumi.Config();
  const serviceSid = config.get("serviceSid") ?? process.env.TWILIO_PROXY_SERVICE_SID!;

  // Found by its unique name; its ttl is converged to 7200 in place.
  const legacy = new ProxySession("legacy-hotline", {
    serviceSid,
    uniqueName: config.get("legacyName") ?? "legacy-hotline",
    adopt: true,
    ttl: 7200,
  });

  // Found by its SID, when it has no unique name.
  const bySid = config.get("sessionSid");
  const unnamed = bySid ? new ProxySession("unnamed", { serviceSid, adopt: bySid }) : undefined;

  return { legacySid: legacy.sid, legacyTtl: legacy.ttl, unnamedSid: unnamed?.sid };
};
