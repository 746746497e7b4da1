/**
 * Resumable training checkpoints, output_dir/checkpoint-N, laid out like the
 * seed's accelerate save hooks where diffusers defines the format:
 *   unet/       config.json + diffusion_pytorch_model.safetensors (the trained weights)
 *   unet_ema/   the EMA weights, its config carrying EMAModel's counters (--use_ema)
 *   optimizer.safetensors   AdamW moments and step counts (NAME.exp_avg, NAME.exp_avg_sq, NAME.step)
 *   training_state.json     global step and random generator state
 * (accelerate's optimizer.bin / random_states_0.pkl are torch pickles; these replace them.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RngState } from "./data/rng";
import type { Module } from "./nn/module";
import { saveComponent, saveModelComponent } from "./save_pipeline";
import type { AdamW } from "./training/adamw";
import type { EMAConfig, EMAModel } from "./training/ema";
import { readComponent } from "./weights/diffusers_loader";
import { readSafetensors, writeSafetensors } from "./weights/safetensors";

export interface TrainingState {
  globalStep: number;
  /** The noise/timestep generator's state after this step. */
  noiseRng: RngState;
  /** Base seed of the data order; each epoch's shuffle derives from it. */
  dataSeed: number;
}

export interface TrainedState {
  unet: Module;
  /** The UNet's config as read from the pipeline (saved with the weights). */
  unetConfig: Record<string, unknown>;
  optimizer: AdamW;
  ema: EMAModel | null;
}

const UNET_SPEC: [string, string] = ["diffusers", "UNet2DConditionModel"];

export function checkpointName(step: number): string {
  return `checkpoint-${step}`;
}

/** Checkpoint folder names in output_dir, oldest step first. */
export function listCheckpoints(outputDir: string): string[] {
  if (!fs.existsSync(outputDir)) return [];
  return fs
    .readdirSync(outputDir)
    .filter((d) => /^checkpoint-\d+$/.test(d))
    .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
}

/**
 * --checkpoints_total_limit, applied before a save as the seed does: leaves at
 * most limit - 1 checkpoints so the new one makes `limit`. Returns the removed names.
 */
export function pruneCheckpoints(outputDir: string, limit: number | null): string[] {
  if (limit === null) return [];
  const existing = listCheckpoints(outputDir);
  if (existing.length < limit) return [];
  const removed = existing.slice(0, existing.length - limit + 1);
  for (const name of removed) fs.rmSync(path.join(outputDir, name), { recursive: true, force: true });
  return removed;
}

/**
 * The checkpoint --resume_from_checkpoint names: "latest" is the highest step in
 * output_dir (null when there is none: a fresh start, as in the seed); anything
 * else is a folder path, or a checkpoint name inside output_dir.
 */
export function resolveResumeCheckpoint(outputDir: string, arg: string): string | null {
  if (arg === "latest") {
    const all = listCheckpoints(outputDir);
    return all.length ? path.join(outputDir, all[all.length - 1]) : null;
  }
  for (const candidate of [arg, path.join(outputDir, path.basename(arg))]) {
    if (fs.existsSync(path.join(candidate, "training_state.json"))) return candidate;
  }
  throw new Error(`--resume_from_checkpoint: no checkpoint at ${arg} (nor ${path.join(outputDir, path.basename(arg))})`);
}

/** Writes a checkpoint atomically: into `dir.partial`, then renamed, so an interrupted save never looks complete. */
export async function saveCheckpoint(dir: string, trained: TrainedState, state: TrainingState): Promise<void> {
  const partial = `${dir}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  await saveModelComponent(path.join(partial, "unet"), trained.unet, trained.unetConfig, UNET_SPEC);
  if (trained.ema) {
    const params = trained.unet.namedParameters();
    const weights = trained.ema.stateDict(params);
    try {
      // As diffusers' EMAModel.save_pretrained: the UNet config plus the EMA counters.
      const config = { ...trained.unetConfig, ...trained.ema.config() };
      await saveComponent(path.join(partial, "unet_ema"), weights, config, UNET_SPEC);
    } finally {
      weights.forEach((t) => t.dispose());
    }
  }
  const moments = trained.optimizer.stateDict();
  try {
    await writeSafetensors(path.join(partial, "optimizer.safetensors"), moments);
  } finally {
    moments.forEach((t) => t.dispose());
  }
  await fs.promises.writeFile(path.join(partial, "training_state.json"), `${JSON.stringify(state, null, 2)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  await fs.promises.rename(partial, dir);
}

/** Restores weights, EMA and optimizer state from a checkpoint; returns its training state. */
export async function loadCheckpoint(dir: string, trained: TrainedState): Promise<TrainingState> {
  const unet = await readComponent(dir, "unet");
  try {
    trained.unet.loadStateDict(unet.weights);
  } finally {
    unet.weights.forEach((t) => t.dispose());
  }
  if (trained.ema) {
    if (!fs.existsSync(path.join(dir, "unet_ema"))) throw new Error(`${dir} has no unet_ema (saved without --use_ema)`);
    const ema = await readComponent(dir, "unet_ema");
    try {
      trained.ema.loadStateDict(trained.unet.namedParameters(), ema.weights, ema.config as Partial<EMAConfig>);
    } finally {
      ema.weights.forEach((t) => t.dispose());
    }
  }
  const moments = await readSafetensors(path.join(dir, "optimizer.safetensors"));
  try {
    await trained.optimizer.loadStateDict(moments);
  } finally {
    moments.forEach((t) => t.dispose());
  }
  return JSON.parse(await fs.promises.readFile(path.join(dir, "training_state.json"), "utf8")) as TrainingState;
}
