// The basic stack: three sessions of one Proxy Service, as a platform team declares them.
// Run it against the emulator with `npm run demo`, or with `pulumi up` (see the README).
import * as pulumi from "@pulumi/pulumi";
import { ProxySession } from "pulumi-twilio-proxy";

export = async () => {
  const config = new pulumi.Config();
  const serviceSid = config.get("serviceSid") ?? process.env.TWILIO_PROXY_SERVICE_SID;
  if (!serviceSid) {
    throw new Error(
      "set the Proxy Service: `pulumi config set serviceSid KS...` or TWILIO_PROXY_SERVICE_SID",
    );
  }

  // A rider and a driver, masked for the hour of the trip.
  const trip = new ProxySession("trip-1042", {
    serviceSid,
    uniqueName: "trip-1042",
    mode: "voice-and-message",
    ttl: 3600,
    participants: [
      { identifier: "+15005550006", friendlyName: "Rider" },
      { identifier: "+15005550007", friendlyName: "Driver" },
    ],
  });

  // A support conversation that must end on a fixed date.
  const support = new ProxySession("support-77", {
    serviceSid,
    uniqueName: "support-77",
    mode: "message-only",
    dateExpiry: "2030-01-31T17:00:00Z",
    status: "open",
  });

  // Kept for the records, closed.
  const archived = new ProxySession("archived-9", {
    serviceSid,
    uniqueName: "archived-9",
    status: "closed",
  });

  return {
    tripSid: trip.sid,
    tripStatus: trip.status,
    supportSid: support.sid,
    archivedStatus: archived.status,
  };
};
