// The engine floor: the least any dynamic provider can cost on this engine. N resources of a
// no-op dynamic resource whose provider waits the emulator's latency per operation
// (floor-provider.ts) and whose state is the smallest a dynamic resource can have: one input
// (`ttl`, so that an update has something to change), no output, and a `__provider` that only
// loads the provider, from the file the bench names in the environment (floorEnv).
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

const FLOOR_PROVIDER = "exports.handler=()=>require(process.env.BENCH_FLOOR_PROVIDER)";

/** The environment the floor's provider process needs. */
export const floorEnv = (latencyMs: number) => ({
  BENCH_FLOOR_PROVIDER: path.join(__dirname, "floor-provider.js"),
  BENCH_FLOOR_LATENCY_MS: String(latencyMs),
});

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
