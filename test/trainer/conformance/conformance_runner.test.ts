import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { writeSafetensors } from "../../../trainer/weights/safetensors";
import { GOLDEN_DIR, requireGoldenSet } from "../golden";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Runs the conformance CLI on a golden set made of the given cases. */
async function runConformance(cases: unknown[], model = "model"): Promise<{ status: number | null; stdout: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-golden-"));
  try {
    fs.writeFileSync(path.join(dir, "cases.json"), JSON.stringify({ model, cases }));
    const ids = tf.tensor2d([[49406, 1883, 49407, ...Array<number>(74).fill(49407)]], [1, 77], "int32");
    await writeSafetensors(path.join(dir, "tensors.safetensors"), new Map([["ids", ids]]));
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "trainer/conformance/run.ts"), dir], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, INKSTONE_BACKEND: "cpu" },
    });
    return { status: r.status, stdout: r.stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const base = { inputs: {}, outputs: {}, params: {}, atol: 0, rtol: 0 };

test("an unknown kind is a FAIL line and a non-zero exit, and the other cases still run", async () => {
  const { status, stdout } = await runConformance([
    { ...base, name: "mystery", kind: "no_such_kind" },
    { ...base, name: "escape", kind: "../run" },
    { ...base, name: "words", kind: "tokenize", inputs: { prompts: ["hi"] }, outputs: { input_ids: "missing.tensor" } },
  ]);
  assert.notEqual(status, 0);
  assert.match(stdout, /^mystery no_such_kind worst=Infinity .* FAIL .*no_such_kind\.ts/m);
  assert.match(stdout, /^escape \.\.\/run worst=Infinity .* FAIL .*invalid kind name/m);
  assert.match(stdout, /^words tokenize worst=Infinity .* FAIL .*exception: /m);
  assert.match(stdout, /^0\/3 cases passed$/m);
});

test("all cases passing exits 0", async () => {
  requireGoldenSet();
  const { status, stdout } = await runConformance(
    [{ ...base, name: "words", kind: "tokenize", inputs: { prompts: ["hi"] }, outputs: { input_ids: "ids" } }],
    path.join(GOLDEN_DIR, "model"),
  );
  assert.match(stdout, /^words tokenize worst=0\.00 tol=atol 0 rtol 0 PASS/m);
  assert.equal(status, 0);
});
