// One session's entry in the state file at N sessions, part by part, with no timing: one real
// `pulumi up` of N sessions (uniqueName and ttl, as the benchmark declares them) against the
// emulator, then state.ts applied to the state file. After `npm run build`:
//   node dist/benchmarks/harness/state-once.js [N] > benchmarks/state-per-session/<label>.json
import { createLocalStack } from "../../scripts/lib/local-stack";
import { startEmulatorProcess } from "../../scripts/lib/emulator-process";
import { sessionsProgram, TTL_BEFORE } from "./measure";
import { stateAnatomy } from "./state";

async function main() {
  const n = Number(process.argv[2] ?? 500);
  const emu = await startEmulatorProcess();
  const local = await createLocalStack({
    access: emu,
    program: sessionsProgram({ n, ttl: TTL_BEFORE }, emu.serviceSid),
  });
  try {
    await local.stack.up();
    const anatomy = stateAnatomy(local.stateText(), ":ProxySession");
    const perSession = Math.round(anatomy.fileBytes / n);
    console.log(JSON.stringify({ n, perSession, ...anatomy }, null, 2));
    await local.stack.destroy();
  } finally {
    await local.dispose();
    await emu.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
