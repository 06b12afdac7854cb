// Which sessions of the Proxy Service does this stack not manage? Sessions created by an app,
// by hand in the Console, or left behind by a deleted stack show up in the `unmanagedSessions`
// output after every `pulumi up` (and in `pulumi stack output unmanagedSessions`).
import * as pulumi from "@pulumi/pulumi";
import { ProxySession, findUnmanagedSessions, getProxySessionOutput } from "pulumi-twilio-proxy";

export = async () => {
  const config = new pulumi.Config();
  const serviceSid = config.get("serviceSid") ?? process.env.TWILIO_PROXY_SERVICE_SID;
  if (!serviceSid) {
    throw new Error(
      "set the Proxy Service: `pulumi config set serviceSid KS...` or TWILIO_PROXY_SERVICE_SID",
    );
  }

  const hotline = new ProxySession("hotline", {
    serviceSid,
    uniqueName: "hotline",
    mode: "voice-only",
    ttl: 86400,
  });
  const support = new ProxySession("support", {
    serviceSid,
    uniqueName: "support",
    mode: "message-only",
    status: "open",
  });

  // Every live session of the Service that none of these SIDs names. It is read after the
  // declared sessions exist, so they never count as unmanaged.
  const unmanaged = findUnmanagedSessions({ serviceSid, managed: [hotline.sid, support.sid] });

  // A session managed elsewhere, read without managing it (set `lookupName` to try it).
  const lookupName = config.get("lookupName");
  const looked = lookupName
    ? getProxySessionOutput({ serviceSid, uniqueName: lookupName })
    : undefined;

  return {
    hotlineSid: hotline.sid,
    supportSid: support.sid,
    unmanagedSessions: unmanaged.apply((list) =>
      list.map((s) => ({ uniqueName: s.uniqueName, sid: s.sid, status: s.status })),
    ),
    lookedUpStatus: looked?.status,
  };
};
