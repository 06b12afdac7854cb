// The engine floor: the least any dynamic provider can cost on this engine. N resources of a
// no-op dynamic resource whose provider waits the emulator's latency per operation
// (floor-provider.ts) and whose state is the smallest a dynamic resource can have: one input
// (`ttl`, so that an update has something to change), no output, and a `__provider` that only
// loads the provider by module name, as ours does.
import * as pulumi from "@pulumi/pulumi";

const FLOOR_PROVIDER =
  "exports.handler=()=>require('pulumi-twilio-proxy/dist/scripts/bench/floor-provider')";

/** What `new pulumi.dynamic.Resource(provider, name, {ttl})` registers, with our text. */
class FloorResource extends pulumi.CustomResource {
  constructor(name: string, ttl: number) {
    super("pulumi-nodejs:dynamic:Resource", name, { ttl, __provider: FLOOR_PROVIDER });
  }
}

/** The program: the same N and names as the ProxySession program, each with its ttl. */
export function floorProgram(decl: { n: number; ttl: number }) {
  return async () => {
    for (let i = 0; i < decl.n; i++) new FloorResource(`s${i}`, decl.ttl);
    return {};
  };
}
