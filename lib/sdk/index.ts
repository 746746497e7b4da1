/**
 * Inkstone's logging SDK, in the spirit of W&B and SwanLab:
 *
 *   import * as inkstone from "inkstone-sdk";   // in this repository: "@/lib/sdk"
 *   await inkstone.init({ project: "sd15", config: { lr: 1e-5 } });
 *   inkstone.log({ loss: 0.12, lr: 1e-5 });         // step 0, then 1, 2, ...
 *   inkstone.logImage("samples", pngBytes, { step: 500, caption: "a cat" });
 *   inkstone.logText("epoch 1 done");
 *   await inkstone.finish();
 *
 * `init` returns the Run, whose methods do the same for that run.
 */
import { Run, type FinishResult, type ImageOptions, type InitOptions } from "./run.ts";
import { Reporter } from "./report.ts";
import type { FinishStatus } from "../protocol/wire.ts";

export { Run, type FinishResult, type ImageOptions, type InitOptions, type FinishStatus };

let current: Run | undefined;
const report = new Reporter();

/** Starts a run and makes it the current one; a current run that was not finished is finished first. */
export async function init(opts: InitOptions): Promise<Run> {
  if (current) await finish();
  current = await Run.init(opts);
  return current;
}

/** The run the module-level functions act on. */
export function currentRun(): Run | undefined {
  return current;
}

export function log(metrics: Record<string, number>, step?: number): void {
  if (current) current.log(metrics, step);
  else report.once("no-run:log", "log() before init() is ignored");
}

export function logImage(key: string, bytes: Uint8Array, opts?: ImageOptions): void {
  if (current) current.logImage(key, bytes, opts);
  else report.once("no-run:logImage", "logImage() before init() is ignored");
}

export function logText(text: string, stream?: "stdout" | "stderr"): void {
  if (current) current.logText(text, stream);
  else report.once("no-run:logText", "logText() before init() is ignored");
}

export async function finish(status?: FinishStatus, error?: string): Promise<FinishResult | undefined> {
  const run = current;
  current = undefined;
  return run?.finish(status, error);
}
