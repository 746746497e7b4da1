/**
 * `npm run worker -- --server URL --token WORKER_TOKEN [--gpus 0,1] [--name host-a]`:
 * runs queued launches from the server's form on this machine's GPUs (or its
 * CPU when it has none). The token comes from Settings -> Workers on the server.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { checkEnvOrExit, readEnv } from "@/lib/config/env";

const USAGE = "usage: npm run worker -- --server URL --token WORKER_TOKEN [--gpus 0,1] [--name host-a]";

const { values } = parseArgs({
  options: { server: { type: "string" }, token: { type: "string" }, gpus: { type: "string" }, name: { type: "string" } },
});
checkEnvOrExit("worker", "inkstone worker");
const token = values.token ?? readEnv("INKSTONE_WORKER_TOKEN");
if (!values.server || !token) {
  console.error(USAGE);
  process.exit(2);
}
if (values.gpus !== undefined && !/^\d+(,\d+)*$/.test(values.gpus)) {
  console.error(`--gpus: expected GPU indices like 0,1; got "${values.gpus}"\n${USAGE}`);
  process.exit(2);
}
// Imported once the environment is known good: their modules read their settings as they load.
const { launchSlots } = await import("@/lib/server/launcher/slots");
const { WorkerAgent } = await import("@/lib/server/worker-agent/agent");
const slots = values.gpus ? values.gpus.split(",").map((i) => `gpu${i}`) : launchSlots();
const { version } = JSON.parse(fs.readFileSync("package.json", "utf8")) as { version: string };

const agent = new WorkerAgent({ server: values.server, token, slots, name: values.name, version, onRevoked: () => process.exit(1) });
try {
  await agent.start();
} catch (err) {
  console.error(`inkstone worker: could not register with ${values.server}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second Ctrl-C does not wait for the trainers' checkpoints.
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`inkstone worker: ${signal}, stopping the running trainers (they save a checkpoint)`);
    agent.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
