/**
 * The seed's log_validation: a StableDiffusionPipeline around the models being
 * trained (the caller swaps the EMA weights in first), the pipeline's own
 * scheduler from model_index.json, 20 steps, default guidance, one image per
 * prompt. As in the seed one seeded generator serves all prompts in turn, so
 * each prompt gets its own noise and a run with --seed repeats its images.
 */
import { Rng } from "./data/rng";
import type { AutoencoderKL } from "./models/autoencoder_kl";
import type { CLIPTextModel } from "./models/clip_text_model";
import type { UNet2DConditionModel } from "./models/unet_2d_condition";
import { makeScheduler, StableDiffusionPipeline } from "./pipeline/stable_diffusion";
import type { CLIPTokenizer } from "./tokenizer/clip_tokenizer";
import { readComponentConfig, readModelIndex } from "./weights/diffusers_loader";

export const VALIDATION_STEPS = 20;

export interface ValidationRun {
  /** The pipeline folder the models came from (scheduler and sizes are read from it). */
  modelDir: string;
  tokenizer: CLIPTokenizer;
  textEncoder: CLIPTextModel;
  unet: UNet2DConditionModel;
  vae: AutoencoderKL;
  prompts: string[];
  seed: number | null;
}

export async function runValidation(
  run: ValidationRun,
  onImage: (index: number, prompt: string, png: Buffer) => Promise<void> | void,
): Promise<void> {
  const schedulerClass = (await readModelIndex(run.modelDir)).scheduler;
  const name = Array.isArray(schedulerClass) && schedulerClass[1] === "DDIMScheduler" ? "ddim" : "pndm";
  const sampleSize = (await readComponentConfig(run.modelDir, "unet")).sample_size;
  const pipeline = new StableDiffusionPipeline({
    tokenizer: run.tokenizer,
    textEncoder: run.textEncoder,
    unet: run.unet,
    vae: run.vae,
    scheduler: makeScheduler(name, await readComponentConfig(run.modelDir, "scheduler")),
    sampleSize: typeof sampleSize === "number" ? sampleSize : undefined,
  });
  const generator = run.seed === null ? null : new Rng(run.seed);
  for (const [i, prompt] of run.prompts.entries()) {
    const { image, png } = await pipeline.generate({ prompt, numInferenceSteps: VALIDATION_STEPS, seed: generator?.nextUint32() });
    image.dispose();
    await onImage(i, prompt, png);
  }
}
