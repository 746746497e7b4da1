/**
 * Runs started from the form leave their spool (what the SDK could not
 * deliver before the process ended) where nobody runs `npm run sync`: the
 * server uploads it itself, after the run and at start (lib/server/launcher/spools.ts).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createRunViaApi, startTestServer, type TestServer } from "../../../helpers/server";
import { launchedSpoolDirs, syncLaunchedSpools } from "@/lib/server/launcher/spools";
import { Run } from "@/lib/sdk/run";
import { storedCounts } from "../../../helpers/stored";

let server: TestServer;
let cwd: string;

before(async () => {
  server = await startTestServer();
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-launched-"));
});
after(async () => {
  await server?.close();
  fs.rmSync(cwd, { recursive: true, force: true });
});

/** A launched process whose server was gone: everything it logged stays in the spool under `spoolRoot`. */
async function strandedRun(spoolRoot: string) {
  const run = await createRunViaApi(server.url, { name: "stranded" });
  Object.assign(process.env, { INKSTONE_RUN_ID: run.id, INKSTONE_RUN_TOKEN: run.token, INKSTONE_URL: "http://127.0.0.1:9" });
  try {
    const sdk = await Run.init({ project: "ignored", spoolDir: spoolRoot, finishTimeoutMs: 300, onWarning: () => {} });
    for (let step = 0; step < 50; step++) sdk.log({ loss: 1 / (step + 1) }, step);
    sdk.logText("done");
    assert.equal((await sdk.finish()).delivered, false);
  } finally {
    for (const name of ["INKSTONE_RUN_ID", "INKSTONE_RUN_TOKEN", "INKSTONE_URL"]) delete process.env[name];
  }
  return run;
}

test("the server uploads a launched run's stranded spool: the SDK's default folder and the trainer's output_dir", async () => {
  // An SDK script: <cwd>/.inkstone/spool/<id>.
  const script = await strandedRun(path.join(cwd, ".inkstone", "spool"));
  // The trainer: <output_dir>/.inkstone/<id>, output_dir given on its command line.
  const trainer = await strandedRun(path.join(cwd, "out", ".inkstone"));
  const trainerArgv = ["npm", "run", "train", "--", "--output_dir=out"];
  assert.equal(launchedSpoolDirs(script.id, ["node", "script.js"], cwd).length, 1);
  assert.equal(launchedSpoolDirs(trainer.id, trainerArgv, cwd).length, 1);
  assert.deepEqual(await storedCounts(trainer.id), { points: 0, logs: 0, status: "queued" });

  const lines: string[] = [];
  assert.equal(await syncLaunchedSpools(script.id, ["node", "script.js"], cwd, server.url, (l) => lines.push(l)), true);
  assert.equal(await syncLaunchedSpools(trainer.id, trainerArgv, cwd, server.url, (l) => lines.push(l)), true);
  for (const run of [script, trainer]) assert.deepEqual(await storedCounts(run.id), { points: 50, logs: 1, status: "finished" });
  assert.deepEqual(launchedSpoolDirs(trainer.id, trainerArgv, cwd), [], "the spool is removed once uploaded");
  assert.equal(await syncLaunchedSpools(trainer.id, trainerArgv, cwd, server.url, () => {}), false, "nothing left the next time");
});
