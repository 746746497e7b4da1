import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as tf from "@tensorflow/tfjs";
import type { CaseResult, CaseRunner, GoldenCase, GoldenSet } from "../../trainer/conformance/types";
import { readSafetensors } from "../../trainer/weights/safetensors";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const GOLDEN_DIR = path.resolve(repoRoot, "../shared/reference/sd-tiny-a");

/**
 * The golden set's folder; a missing set fails the test that needs it, loudly
 * (CI always has it: a silent skip would pass a trainer nobody compared).
 */
export function requireGoldenSet(): string {
  if (!fs.existsSync(path.join(GOLDEN_DIR, "cases.json"))) {
    throw new Error(
      `golden set ${GOLDEN_DIR} not found: the trainer's reference tests compare against it. ` +
        "Check out the shared folder (shared/reference/sd-tiny-a) next to the repository, as CI does.",
    );
  }
  return GOLDEN_DIR;
}

/** The golden set's cases and tensors for tests. */
export async function loadGolden(): Promise<{ set: GoldenSet; cases: GoldenCase[] }> {
  requireGoldenSet();
  const parsed = JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, "cases.json"), "utf8")) as { model: string; cases: GoldenCase[] };
  const tensors = await readSafetensors(path.join(GOLDEN_DIR, "tensors.safetensors"));
  const tensor = (name: string): tf.Tensor => {
    const t = tensors.get(name);
    if (!t) throw new Error(`golden tensor ${name} not found`);
    return t;
  };
  return { set: { dir: GOLDEN_DIR, modelDir: path.join(GOLDEN_DIR, parsed.model), tensor }, cases: parsed.cases };
}

/** The one case of a kind. */
export function caseOfKind(cases: GoldenCase[], kind: string): GoldenCase {
  const c = cases.find((x) => x.kind === kind);
  if (!c) throw new Error(`no ${kind} case in the golden set`);
  return c;
}

/** Runs the golden set's case of `kind` through its conformance runner, for the test to judge the result. */
export async function runGoldenCase(kind: string, runner: CaseRunner): Promise<CaseResult> {
  const golden = await loadGolden();
  return runner(caseOfKind(golden.cases, kind), golden.set);
}
