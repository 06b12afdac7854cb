// `npm run demo`: the main job end to end against the local emulator. Starts the emulator,
// deploys examples/basic with `pulumi up` on a temporary backend, changes sessions out of
// band, shows `pulumi preview --refresh --diff` catching the drift, converges, destroys.
import basic = require("../examples/basic");
import { startEmulatorProcess } from "./lib/emulator-process";
import { createLocalStack } from "./lib/local-stack";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`── ${n}. ${title}`)}\n`);
const print = (s: string) => process.stdout.write(s.replace(/^/gm, "   "));

async function main() {
  const started = Date.now();
  step(1, "Start the local Twilio Proxy emulator");
  const emu = await startEmulatorProcess();
  console.log(
    `   TWILIO_PROXY_BASE_URL=${emu.baseUrl}\n   TWILIO_PROXY_SERVICE_SID=${emu.serviceSid}`,
  );
  const calls = async () => {
    const r = await emu.requests();
    await emu.resetRequests();
    const used = Object.entries(r.byOperation).filter(([, n]) => n > 0);
    return used.length ? used.map(([op, n]) => `${op} ×${n}`).join(", ") : "none";
  };

  const local = await createLocalStack({
    program: basic,
    project: "pulumi-twilio-proxy-demo",
    stackName: "demo",
    access: { accountSid: emu.accountSid, authToken: emu.authToken, baseUrl: emu.baseUrl },
    config: { serviceSid: emu.serviceSid },
  });
  const { stack } = local;
  try {
    step(2, "pulumi up: deploy examples/basic (three sessions)");
    const up = await stack.up({ onOutput: print, suppressProgress: true });
    console.log(`\n   HTTP calls to Twilio: ${await calls()}`);

    step(3, "Out of band: someone closes support-77 and shortens trip-1042 to 10 minutes");
    const sids = { trip: up.outputs.tripSid.value, support: up.outputs.supportSid.value };
    await emu.control("PATCH", `sessions/${sids.support}`, { status: "closed" });
    await emu.control("PATCH", `sessions/${sids.trip}`, { ttl: 600 });
    console.log(`   PATCH ${sids.support} {status: closed}\n   PATCH ${sids.trip} {ttl: 600}`);
    await calls();

    step(4, "pulumi preview --refresh --diff: the drift, and only the drift");
    const preview = await stack.preview({ refresh: true, diff: true, onOutput: print });
    console.log(`\n   planned: ${JSON.stringify(preview.changeSummary)}`);
    console.log(
      `   HTTP calls to Twilio: ${await calls()} (refresh reads; preview writes nothing)`,
    );

    step(5, "pulumi up --refresh: converge with one call per drifted session");
    await stack.up({ refresh: true, onOutput: print, suppressProgress: true });
    console.log(`\n   HTTP calls to Twilio: ${await calls()}`);

    step(6, "pulumi preview --refresh --expect-no-changes: converged, nothing to show");
    // Its verdict, not its text: the CLI marks every refresh it makes with `~`, changed or not.
    const settled = await stack.preview({ refresh: true, expectNoChanges: true });
    console.log(`   no changes: ${JSON.stringify(settled.changeSummary)}`);
    console.log(`   HTTP calls to Twilio: ${await calls()} (refresh reads)`);

    step(7, "pulumi destroy");
    await stack.destroy({ onOutput: print, suppressProgress: true });
    const left = await emu.control<{ sessions: unknown[] }>("GET", "sessions");
    console.log(
      `\n   HTTP calls to Twilio: ${await calls()}; sessions left: ${left.sessions.length}`,
    );
  } finally {
    await local.dispose();
    await emu.stop();
  }
  console.log(bold(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`));
}

main().catch((err) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
