// The engine floor's provider: a dynamic provider that does nothing but wait, once per create,
// read, update and delete, as long as one request to the emulator takes. With it, an operation
// costs what the engine itself costs for a dynamic resource, plus that latency.
//
// It has no check and no diff: the host passes the inputs through and the engine compares old
// and new inputs itself, the least work a provider can ask for.
const latencyMs = Number(process.env.BENCH_FLOOR_LATENCY_MS ?? 100);
const wait = () => new Promise((resolve) => setTimeout(resolve, latencyMs));

/** Short ids, unique across the provider processes of a run. */
const idPrefix = process.pid.toString(36);
let created = 0;

export async function create() {
  await wait();
  return { id: `${idPrefix}${(created++).toString(36)}`, outs: {} };
}

export async function read(id: string) {
  await wait();
  return { id, props: {} };
}

export async function update() {
  await wait();
  return { outs: {} };
}

export async function remove() {
  await wait();
}
export { remove as delete };
