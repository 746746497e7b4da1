/**
 * `npm run make-tiny -- --out DIR [--tokenizer clip|trained] [--tokenizer_from DIR] [--num_images N] [--seed S] [--config tiny|sd15]`
 *
 * Writes a tiny randomly initialised Stable Diffusion 1.x pipeline in diffusers
 * layout (DIR/model: SD1.5's structure shrunk, SD1.5's scheduler config, the
 * real CLIP tokenizer files when they are at hand, else a small BPE tokenizer
 * trained on the captions) and a small synthetic captioned image dataset
 * (DIR/dataset), so the tutorial's training command runs in seconds on a CPU.
 * `--config sd15` writes SD1.5's real sizes instead (./sd15_configs.ts), for the GPU.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { selectBackend } from "./backend";
import { Rng } from "./data/rng";
import { writeCaptionedDataset, type CaptionedPng, type DatasetLayout } from "./data/write_dataset";
import { AutoencoderKL } from "./models/autoencoder_kl";
import { CLIPTextModel } from "./models/clip_text_model";
import { UNet2DConditionModel } from "./models/unet_2d_condition";
import type { Module } from "./nn/module";
import { DEFAULT_VALIDATION_PROMPTS } from "./options";
import { configJson, saveModelComponent } from "./save_pipeline";
import { SD15_TEXT_ENCODER_CONFIG, SD15_UNET_CONFIG, SD15_VAE_CONFIG } from "./sd15_configs";
import { CLIPTokenizer } from "./tokenizer/clip_tokenizer";
import { trainBPE, writeCLIPTokenizerFiles } from "./tokenizer/train_bpe";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_TOKENIZER_DIR = path.resolve(REPO_ROOT, "../shared/reference/sd-tiny-a/model/tokenizer");
const TOKENIZER_FILES = ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"];
/** An upper bound: the captions and prompts hold fewer merges than this allows. */
const TRAINED_VOCAB_SIZE = 1000;

/** SD1.5's UNet shrunk: 3 levels of 32/64/64 channels, 4 heads, 8 norm groups. */
const UNET_CONFIG = {
  act_fn: "silu",
  addition_embed_type: null,
  addition_embed_type_num_heads: 64,
  addition_time_embed_dim: null,
  attention_head_dim: 4,
  attention_type: "default",
  block_out_channels: [32, 64, 64],
  center_input_sample: false,
  class_embed_type: null,
  class_embeddings_concat: false,
  conv_in_kernel: 3,
  conv_out_kernel: 3,
  cross_attention_dim: 32,
  cross_attention_norm: null,
  down_block_types: ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
  downsample_padding: 1,
  dropout: 0.0,
  dual_cross_attention: false,
  encoder_hid_dim: null,
  encoder_hid_dim_type: null,
  flip_sin_to_cos: true,
  freq_shift: 0,
  in_channels: 4,
  layers_per_block: 2,
  mid_block_only_cross_attention: null,
  mid_block_scale_factor: 1,
  mid_block_type: "UNetMidBlock2DCrossAttn",
  norm_eps: 1e-5,
  norm_num_groups: 8,
  num_attention_heads: null,
  num_class_embeds: null,
  only_cross_attention: false,
  out_channels: 4,
  projection_class_embeddings_input_dim: null,
  resnet_out_scale_factor: 1.0,
  resnet_skip_time_act: false,
  resnet_time_scale_shift: "default",
  reverse_transformer_layers_per_block: null,
  sample_size: 8,
  time_cond_proj_dim: null,
  time_embedding_act_fn: null,
  time_embedding_dim: null,
  time_embedding_type: "positional",
  timestep_post_act: null,
  transformer_layers_per_block: 1,
  up_block_types: ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
  upcast_attention: false,
  use_linear_projection: false,
};

/** SD1.5's VAE shrunk: 4 levels (latents 8x smaller than images), 8 norm groups. */
const VAE_CONFIG = {
  act_fn: "silu",
  block_out_channels: [16, 32, 32, 32],
  down_block_types: Array(4).fill("DownEncoderBlock2D"),
  force_upcast: true,
  in_channels: 3,
  latent_channels: 4,
  latents_mean: null,
  latents_std: null,
  layers_per_block: 2,
  norm_num_groups: 8,
  out_channels: 3,
  sample_size: 64,
  scaling_factor: 0.18215,
  shift_factor: null,
  up_block_types: Array(4).fill("UpDecoderBlock2D"),
  use_post_quant_conv: true,
  use_quant_conv: true,
};

/** CLIP's text tower shrunk to 3 layers of width 32; vocabulary and special ids come from the tokenizer. */
const TEXT_ENCODER_CONFIG = {
  architectures: ["CLIPTextModel"],
  attention_dropout: 0.0,
  dropout: 0.0,
  hidden_act: "quick_gelu",
  hidden_size: 32,
  initializer_factor: 1.0,
  initializer_range: 0.02,
  intermediate_size: 128,
  layer_norm_eps: 1e-5,
  max_position_embeddings: 77,
  model_type: "clip_text_model",
  num_attention_heads: 4,
  num_hidden_layers: 3,
  projection_dim: 32,
  torch_dtype: "float32",
};

/**
 * The text encoder config for a tokenizer: its vocabulary size and special ids
 * (transformers finds the pooled eos position by eos_token_id unless it is the legacy 2).
 */
function textEncoderConfig(tokenizer: CLIPTokenizer, base: Record<string, unknown>): Record<string, unknown> {
  return {
    ...base,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.padId,
    vocab_size: tokenizer.vocabSize,
  };
}

/** runwayml/stable-diffusion-v1-5's scheduler/scheduler_config.json. */
const SCHEDULER_CONFIG = {
  _class_name: "PNDMScheduler",
  _diffusers_version: "0.6.0",
  beta_end: 0.012,
  beta_schedule: "scaled_linear",
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
};

const MODEL_INDEX = {
  _class_name: "StableDiffusionPipeline",
  _diffusers_version: "0.29.0",
  feature_extractor: [null, null],
  requires_safety_checker: false,
  safety_checker: [null, null],
  scheduler: ["diffusers", "PNDMScheduler"],
  text_encoder: ["transformers", "CLIPTextModel"],
  tokenizer: ["transformers", "CLIPTokenizer"],
  unet: ["diffusers", "UNet2DConditionModel"],
  vae: ["diffusers", "AutoencoderKL"],
};

/**
 * Random torch-layout weights for every parameter: unit-ish norm scales, small
 * biases and embeddings, and 1/sqrt(fan_in) matrices and kernels, so the random
 * network's activations stay in a sane range.
 */
export function randomStateDict(model: Module, rng: Rng): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, p] of model.namedParameters()) {
    const shape = p.torchShape;
    const size = shape.reduce((a, b) => a * b, 1);
    const values = rng.normal(size);
    const isNormScale = p.layout === "plain" && shape.length === 1 && name.endsWith(".weight");
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    const scale = p.layout === "plain" ? (isNormScale ? 0.1 : 0.02) : 1 / Math.sqrt(fanIn);
    for (let i = 0; i < size; i++) values[i] = (isNormScale ? 1 : 0) + scale * values[i];
    out.set(name, tf.tensor(values, shape));
  }
  return out;
}

async function writeRandomComponent(
  modelDir: string,
  component: string,
  model: Module,
  config: Record<string, unknown>,
  rng: Rng,
): Promise<void> {
  const weights = randomStateDict(model, rng);
  model.loadStateDict(weights);
  weights.forEach((t) => t.dispose());
  const [library, className] = MODEL_INDEX[component as "unet"] as [string, string];
  await saveModelComponent(path.join(modelDir, component), model, config, [library, className]);
  model.parameters().forEach((p) => p.value.dispose());
}

const COLORS: Record<string, [number, number, number]> = {
  red: [220, 40, 40],
  green: [40, 180, 60],
  blue: [40, 70, 220],
  yellow: [235, 210, 50],
  black: [20, 20, 20],
  white: [240, 240, 240],
};

const SHAPES = ["circle", "square"] as const;

function caption(fg: string, shape: string, bg: string): string {
  return `a ${fg} ${shape} on a ${bg} background`;
}

/** Every caption syntheticImage can write, whatever the seed and image count. */
function allCaptions(): string[] {
  const names = Object.keys(COLORS);
  return names.flatMap((fg) => SHAPES.flatMap((shape) => names.filter((bg) => bg !== fg).map((bg) => caption(fg, shape, bg))));
}

/** A `width` x `height` PNG of a coloured circle or square on a plain background, and its caption. */
async function syntheticImage(index: number, width: number, height: number, rng: Rng): Promise<CaptionedPng> {
  const names = Object.keys(COLORS);
  const fg = names[rng.int(0, names.length)];
  const bg = names.filter((n) => n !== fg)[rng.int(0, names.length - 1)];
  const shape = SHAPES[rng.random() < 0.5 ? 0 : 1];
  const r = Math.min(width, height) * (0.2 + 0.15 * rng.random());
  const cx = r + rng.random() * (width - 2 * r);
  const cy = r + rng.random() * (height - 2 * r);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = shape === "circle" ? (x - cx) ** 2 + (y - cy) ** 2 <= r * r : Math.abs(x - cx) <= r && Math.abs(y - cy) <= r;
      pixels.set(COLORS[inside ? fg : bg], (y * width + x) * 3);
    }
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { fileName: `${String(index).padStart(4, "0")}.png`, png, text: caption(fg, shape, bg) };
}

export type TokenizerSource = "clip" | "trained";

export interface MakeTinyOptions {
  /** Default: "clip" when --tokenizer_from is given or the golden set's tokenizer exists, else "trained". */
  tokenizer?: TokenizerSource;
  tokenizerFrom?: string;
  numImages?: number;
  seed?: number;
  /** "tiny" (default) or "sd15": SD1.5's real component sizes. */
  config?: PipelineSize;
}

export type PipelineSize = "tiny" | "sd15";

/** The component configs of each size; sd15's UNet and VAE keep the tiny ones' explicit defaults. */
const SIZES: Record<PipelineSize, { unet: Record<string, unknown>; vae: Record<string, unknown>; textEncoder: Record<string, unknown> }> = {
  tiny: { unet: UNET_CONFIG, vae: VAE_CONFIG, textEncoder: TEXT_ENCODER_CONFIG },
  sd15: { unet: { ...UNET_CONFIG, ...SD15_UNET_CONFIG }, vae: { ...VAE_CONFIG, ...SD15_VAE_CONFIG }, textEncoder: SD15_TEXT_ENCODER_CONFIG },
};

export interface TinyPaths {
  modelDir: string;
  datasetDir: string;
  datasetLayout: DatasetLayout;
  /** Which tokenizer the pipeline got, in words. */
  tokenizer: string;
}

/**
 * Writes MODEL/tokenizer: a copy of CLIP's files, or a BPE vocabulary trained on
 * the tiny dataset's captions and the default validation prompts. Returns what it wrote, in words.
 */
async function writeTokenizer(modelDir: string, opts: MakeTinyOptions): Promise<string> {
  const tokenizerFrom = opts.tokenizerFrom ?? DEFAULT_TOKENIZER_DIR;
  const missing = TOKENIZER_FILES.filter((f) => !fs.existsSync(path.join(tokenizerFrom, f)));
  const source = opts.tokenizer ?? (opts.tokenizerFrom !== undefined || !missing.length ? "clip" : "trained");
  const dir = path.join(modelDir, "tokenizer");
  if (source === "trained") {
    if (opts.tokenizerFrom !== undefined) throw new Error("--tokenizer_from only applies to --tokenizer clip");
    const bpe = trainBPE([...allCaptions(), ...DEFAULT_VALIDATION_PROMPTS], TRAINED_VOCAB_SIZE);
    await writeCLIPTokenizerFiles(dir, bpe);
    return `a ${bpe.vocab.size}-token BPE tokenizer trained on the captions and validation prompts`;
  }
  if (missing.length) {
    throw new Error(
      `--tokenizer clip needs the CLIP tokenizer files (${TOKENIZER_FILES.join(", ")}); ${missing.join(", ")} not found in ` +
        `${tokenizerFrom}. Pass --tokenizer_from DIR with a tokenizer folder, e.g. stable-diffusion-v1-5/tokenizer, ` +
        "or --tokenizer trained.",
    );
  }
  await fs.promises.mkdir(dir, { recursive: true });
  for (const f of TOKENIZER_FILES) await fs.promises.copyFile(path.join(tokenizerFrom, f), path.join(dir, f));
  return `CLIP's tokenizer copied from ${tokenizerFrom}`;
}

export async function makeTiny(outDir: string, opts: MakeTinyOptions = {}): Promise<TinyPaths> {
  const rng = new Rng(opts.seed ?? 0);
  const modelDir = path.join(outDir, "model");
  const datasetDir = path.join(outDir, "dataset");
  await fs.promises.mkdir(modelDir, { recursive: true });
  const tokenizer = await writeTokenizer(modelDir, opts);
  const size = SIZES[opts.config ?? "tiny"];
  const textEncoder = textEncoderConfig(await CLIPTokenizer.fromPretrained(modelDir), size.textEncoder);

  await writeRandomComponent(modelDir, "unet", UNet2DConditionModel.fromConfig(size.unet), size.unet, rng);
  await writeRandomComponent(modelDir, "vae", AutoencoderKL.fromConfig(size.vae), size.vae, rng);
  await writeRandomComponent(modelDir, "text_encoder", CLIPTextModel.fromConfig(textEncoder), textEncoder, rng);
  await fs.promises.mkdir(path.join(modelDir, "scheduler"), { recursive: true });
  await fs.promises.writeFile(path.join(modelDir, "scheduler", "scheduler_config.json"), configJson(SCHEDULER_CONFIG));
  await fs.promises.writeFile(path.join(modelDir, "model_index.json"), configJson(MODEL_INDEX));

  // Non-square images, so the resize-then-crop path is exercised.
  const rows: CaptionedPng[] = [];
  for (let i = 0; i < (opts.numImages ?? 8); i++) rows.push(await syntheticImage(i, 80, 64, rng));
  const datasetLayout = await writeCaptionedDataset(datasetDir, rows);
  return { modelDir, datasetDir, datasetLayout, tokenizer };
}

function parseArgs(argv: string[]): { out: string } & MakeTinyOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!["--out", "--tokenizer", "--tokenizer_from", "--num_images", "--seed", "--config"].includes(flag)) {
      throw new Error(
        `unrecognized argument: ${argv[i]} (flags: --out DIR, --tokenizer clip|trained, --tokenizer_from DIR, --num_images N, --seed S, --config tiny|sd15)`,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`argument ${flag}: expected one argument`);
    values.set(flag, value);
  }
  const out = values.get("--out");
  if (!out) throw new Error("argument --out: required (the folder to write the tiny pipeline and dataset to)");
  const int = (flag: string): number | undefined => {
    const v = values.get(flag);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`argument ${flag}: invalid int value: '${v}'`);
    return Number(v);
  };
  const tokenizer = values.get("--tokenizer");
  if (tokenizer !== undefined && tokenizer !== "clip" && tokenizer !== "trained") {
    throw new Error(`argument --tokenizer: invalid choice: '${tokenizer}' (choose from 'clip', 'trained')`);
  }
  const config = values.get("--config");
  if (config !== undefined && config !== "tiny" && config !== "sd15") {
    throw new Error(`argument --config: invalid choice: '${config}' (choose from 'tiny', 'sd15')`);
  }
  return { out, tokenizer, tokenizerFrom: values.get("--tokenizer_from"), numImages: int("--num_images"), seed: int("--seed"), config };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`make-tiny: error: ${(e as Error).message}`);
    process.exit(2);
  }
  await selectBackend();
  const started = performance.now();
  const paths = await makeTiny(args.out, args);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`tiny pipeline: ${paths.modelDir}`);
  console.log(`tokenizer: ${paths.tokenizer}`);
  console.log(`tiny dataset (${paths.datasetLayout}): ${paths.datasetDir}`);
  console.log(`done in ${seconds}s; train on it with:`);
  console.log(`  npm run train -- --pretrained_model_name_or_path=${paths.modelDir} --dataset_name=${paths.datasetDir} --resolution=64 --max_train_steps=4`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`make-tiny: error: ${(e as Error).message}`);
    process.exit(1);
  });
}
