import * as tf from "@tensorflow/tfjs";
import { encodePng } from "../image/png";
import { AutoencoderKL } from "../models/autoencoder_kl";
import { CLIPTextModel } from "../models/clip_text_model";
import { UNet2DConditionModel } from "../models/unet_2d_condition";
import type { Module } from "../nn/module";
import { DDIMScheduler } from "../schedulers/ddim";
import { PNDMScheduler } from "../schedulers/pndm";
import type { SamplingScheduler } from "../schedulers/sampling_scheduler";
import { CLIPTokenizer } from "../tokenizer/clip_tokenizer";
import { readComponentConfig, readModelIndex } from "../weights/diffusers_loader";

export type SchedulerName = "pndm" | "ddim";

export interface StableDiffusionComponents {
  tokenizer: CLIPTokenizer;
  textEncoder: CLIPTextModel;
  unet: UNet2DConditionModel;
  vae: AutoencoderKL;
  scheduler: SamplingScheduler;
  /** unet/config.json sample_size: the default latent size (64 for SD1.5, so 512 px). */
  sampleSize?: number;
}

export interface GenerateOptions {
  prompt: string;
  negativePrompt?: string;
  numInferenceSteps?: number;
  guidanceScale?: number;
  /**
   * Seeds the initial latents. They are drawn from tfjs' seeded gaussian
   * (tf.randomNormal), not torch's generator: the same seed gives the same
   * image here on every backend, but not the image diffusers gives for it.
   */
  seed?: number;
  height?: number;
  width?: number;
  /** Initial noise, NHWC [1, height/8, width/8, latent channels]; overrides seed. */
  latents?: tf.Tensor4D;
}

export interface GenerateResult {
  /** NHWC [1, height, width, 3] in [0, 1], before 8-bit conversion. The caller disposes it. */
  image: tf.Tensor4D;
  png: Buffer;
  /** The scheduler's timesteps, in the order the loop visited them. */
  timesteps: number[];
}

/** Which scheduler a pipeline folder names in model_index.json. */
async function defaultSchedulerName(dir: string): Promise<SchedulerName> {
  const entry = (await readModelIndex(dir)).scheduler;
  const className = Array.isArray(entry) ? entry[1] : undefined;
  if (className === "PNDMScheduler") return "pndm";
  if (className === "DDIMScheduler") return "ddim";
  throw new Error(`${dir}/model_index.json names scheduler ${JSON.stringify(className)}; pass scheduler: "pndm" or "ddim"`);
}

export function makeScheduler(name: SchedulerName, config: Record<string, unknown>): SamplingScheduler {
  return name === "pndm" ? PNDMScheduler.fromConfig(config) : DDIMScheduler.fromConfig(config);
}

/**
 * diffusers' StableDiffusionPipeline (text to image) for 0.29: classifier-free
 * guidance with the unconditional and conditional halves in one UNet batch,
 * latents scaled by the scheduler's init_noise_sigma, decoded with
 * 1 / scaling_factor, and (x / 2 + 0.5).clamp(0, 1).
 */
export class StableDiffusionPipeline {
  constructor(readonly components: StableDiffusionComponents) {}

  static async fromPretrained(dir: string, opts: { variant?: string; scheduler?: SchedulerName } = {}): Promise<StableDiffusionPipeline> {
    const schedulerName = opts.scheduler ?? (await defaultSchedulerName(dir));
    const unetConfig = await readComponentConfig(dir, "unet");
    return new StableDiffusionPipeline({
      tokenizer: await CLIPTokenizer.fromPretrained(dir),
      textEncoder: await CLIPTextModel.fromPretrained(dir, { variant: opts.variant }),
      unet: await UNet2DConditionModel.fromPretrained(dir, { variant: opts.variant }),
      vae: await AutoencoderKL.fromPretrained(dir, { variant: opts.variant }),
      scheduler: makeScheduler(schedulerName, await readComponentConfig(dir, "scheduler")),
      sampleSize: typeof unetConfig.sample_size === "number" ? unetConfig.sample_size : undefined,
    });
  }

  /** Pixels per latent: 2^(number of VAE levels - 1). */
  get vaeScaleFactor(): number {
    return 2 ** (this.components.vae.config.block_out_channels.length - 1);
  }

  /** Text embeddings [N, 77, D] of the given strings. */
  private encodeText(texts: string[]): tf.Tensor3D {
    return tf.tidy(() => this.components.textEncoder.forward(this.components.tokenizer.encodeToTensor(texts)));
  }

  private initialLatents(opts: GenerateOptions, height: number, width: number): tf.Tensor4D {
    const shape: [number, number, number, number] = [1, height / this.vaeScaleFactor, width / this.vaeScaleFactor, this.components.unet.config.in_channels];
    return tf.tidy(() => {
      const noise = opts.latents ?? tf.randomNormal(shape, 0, 1, "float32", opts.seed);
      if (noise.shape.some((d, i) => d !== shape[i])) throw new Error(`latents have shape [${noise.shape}], expected [${shape}]`);
      return tf.mul(noise, this.components.scheduler.initNoiseSigma);
    });
  }

  async generate(opts: GenerateOptions): Promise<GenerateResult> {
    const { unet, vae, scheduler } = this.components;
    const steps = opts.numInferenceSteps ?? 50;
    const guidance = opts.guidanceScale ?? 7.5;
    const defaultSize = (this.components.sampleSize ?? 64) * this.vaeScaleFactor;
    const height = opts.height ?? defaultSize;
    const width = opts.width ?? defaultSize;
    for (const [name, v] of [["height", height], ["width", width]] as const) {
      if (!Number.isInteger(v) || v <= 0 || v % 8 !== 0) throw new Error(`${name} must be a positive multiple of 8, got ${v}`);
    }
    const guided = guidance > 1;
    // Unconditional first, as diffusers concatenates [negative, positive].
    const context = this.encodeText(guided ? [opts.negativePrompt ?? "", opts.prompt] : [opts.prompt]);
    let latents = this.initialLatents(opts, height, width);
    scheduler.setTimesteps(steps);
    try {
      for (const t of scheduler.timesteps) {
        const next = tf.tidy(() => {
          const input = scheduler.scaleModelInput(guided ? tf.concat([latents, latents]) : latents) as tf.Tensor4D;
          const timestep = tf.fill([input.shape[0]], t, "float32") as tf.Tensor1D;
          let noise: tf.Tensor = unet.forward(input, timestep, context);
          if (guided) {
            const [uncond, cond] = tf.split(noise, 2);
            noise = tf.add(uncond!, tf.mul(tf.sub(cond!, uncond!), guidance));
          }
          return scheduler.step(noise, t, latents) as tf.Tensor4D;
        });
        latents.dispose();
        latents = next;
        // Let the event loop breathe between UNet calls (progress output, signals).
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      if (scheduler instanceof PNDMScheduler) scheduler.dispose();
      context.dispose();
    }
    const image = tf.tidy(() => {
      const decoded = vae.decode(tf.div(latents, vae.config.scaling_factor) as tf.Tensor4D);
      return tf.clipByValue(tf.add(tf.div(decoded, 2), 0.5), 0, 1) as tf.Tensor4D;
    });
    latents.dispose();
    return { image, png: await encodePng(image), timesteps: [...scheduler.timesteps] };
  }

  /** Frees every model weight. */
  dispose(): void {
    const models: Module[] = [this.components.textEncoder, this.components.unet, this.components.vae];
    for (const m of models) m.parameters().forEach((p) => p.value.dispose());
  }
}
