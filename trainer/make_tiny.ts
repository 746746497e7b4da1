/**
 * `npm run make-tiny -- --out DIR [--tokenizer clip|trained] [--tokenizer_from DIR] [--num_images N] [--seed S] [--config tiny|sd15] [--vae_steps N]`
 *
 * Writes a tiny Stable Diffusion 1.x pipeline in diffusers layout (DIR/model:
 * SD1.5's structure shrunk, SD1.5's scheduler config, the real CLIP tokenizer
 * files when they are at hand, else a small BPE tokenizer trained on the
 * captions) and a synthetic captioned dataset where the caption decides the
 * picture (DIR/dataset, see tiny/pictures.ts), so the tutorial's training
 * command runs in minutes on a CPU and visibly learns. The UNet and text
 * encoder are random; the VAE is trained here to reconstruct the pictures
 * (tiny/train_vae.ts), so decoded latents are pictures, not colour noise.
 * `--config sd15` writes SD1.5's real sizes instead (./sd15_configs.ts, its VAE random), for the GPU.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend";
import { CliParser, numberArg, parseCli, parseOrExit } from "./cli";
import { Rng } from "./data/rng";
import { writeCaptionedDataset, type CaptionedPng, type DatasetLayout } from "./data/write_dataset";
import { AutoencoderKL } from "./models/autoencoder_kl";
import { CLIPTextModel } from "./models/clip_text_model";
import { UNet2DConditionModel } from "./models/unet_2d_condition";
import { allCaptions, allPictures, datasetRows, renderPixels, renderPng } from "./tiny/pictures";
import { trainTinyVae } from "./tiny/train_vae";
import { TINY_DEMO_VERSION, TINY_DEMO_VERSION_FILE } from "./tiny/version";
import type { Module } from "./nn/module";
import { DEFAULT_VALIDATION_PROMPTS } from "./options";
import { configJson, saveModelComponent } from "./save_pipeline";
import { SD15_TEXT_ENCODER_CONFIG, SD15_UNET_CONFIG, SD15_VAE_CONFIG } from "./sd15_configs";
import { CLIPTokenizer } from "./tokenizer/clip_tokenizer";
import { trainBPE, writeCLIPTokenizerFiles } from "./tokenizer/train_bpe";
import { isMainModule } from "./is_main";

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
  layers_per_block: 1,
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

/**
 * SD1.5's VAE shrunk: 3 levels (latents 4x smaller than images: 32 px pictures,
 * 8x8 latents), one resnet per level and few channels, so that make-tiny trains
 * it in seconds and the trainer encodes a batch cheaply every step. 2 norm
 * groups, not SD's 32: with 8 channels, one channel per group would normalise
 * each channel's colour away, and flat-coloured pictures would not come back.
 */
const VAE_CONFIG = {
  act_fn: "silu",
  block_out_channels: [8, 16, 32],
  down_block_types: Array(3).fill("DownEncoderBlock2D"),
  force_upcast: true,
  in_channels: 3,
  latent_channels: 4,
  latents_mean: null,
  latents_std: null,
  layers_per_block: 1,
  norm_num_groups: 2,
  out_channels: 3,
  sample_size: 32,
  scaling_factor: 0.18215,
  shift_factor: null,
  up_block_types: Array(3).fill("UpDecoderBlock2D"),
  use_post_quant_conv: true,
  use_quant_conv: true,
};

/**
 * CLIP's text tower shrunk to 3 layers of width 32, and to 16 positions: the
 * tokenizer pads to 16, not 77 (the captions take at most 8 with bos and eos),
 * so the caption's tokens are most of what the UNet's cross-attention sees, not
 * a few among 70 paddings. Vocabulary and special ids come from the tokenizer.
 */
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
  max_position_embeddings: 16,
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
 * The last layer of each residual branch (resnet conv2, attention and
 * transformer outputs), which starts at zero as in guided-diffusion's
 * zero_module: every block starts as the identity, so a new model (the UNet,
 * the tiny VAE) learns in tens of steps instead of first unlearning its noise.
 */
const ZERO_INIT_RESIDUAL = /(\.conv2|\.to_out\.0|\.proj_out|\.ff\.net\.2)\.(weight|bias)$/;
/** The UNet also starts with its output layer at zero: a new UNet predicts no noise. */
const ZERO_INIT_UNET = new RegExp(`^conv_out\\.(weight|bias)$|${ZERO_INIT_RESIDUAL.source}`);

/**
 * Random torch-layout weights for every parameter: unit-ish norm scales, small
 * biases and embeddings, and 1/sqrt(fan_in) matrices and kernels, so the random
 * network's activations stay in a sane range; `zero` names parameters that start at 0.
 */
export function randomStateDict(model: Module, rng: Rng, zero?: RegExp): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, p] of model.namedParameters()) {
    const shape = p.torchShape;
    const size = shape.reduce((a, b) => a * b, 1);
    const values = rng.normal(size);
    const isNormScale = p.layout === "plain" && shape.length === 1 && name.endsWith(".weight");
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    const scale = zero?.test(name) ? 0 : p.layout === "plain" ? (isNormScale ? 0.1 : 0.02) : 1 / Math.sqrt(fanIn);
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
  zero?: RegExp,
): Promise<void> {
  const weights = randomStateDict(model, rng, zero);
  model.loadStateDict(weights);
  weights.forEach((t) => t.dispose());
  const [library, className] = MODEL_INDEX[component as "unet"] as [string, string];
  await saveModelComponent(path.join(modelDir, component), model, config, [library, className]);
  model.parameters().forEach((p) => p.value.dispose());
}

/** How make-tiny trains the VAE (--vae_steps overrides the steps; 0 keeps it random, for tests that need no pictures). */
const VAE_TRAINING = { steps: 400, batchSize: 4, learningRate: 2e-3 };

/** The dataset's pictures at the VAE's sample size, NHWC in [-1, 1], as the trainer normalises them. */
async function pictureTensor(size: number): Promise<tf.Tensor4D> {
  const pictures = await Promise.all(allPictures().map((spec) => renderPixels(spec, size, size)));
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(Buffer.concat(pictures), [pictures.length, size, size, 3], "float32"), 127.5), 1) as tf.Tensor4D);
}

/** A VAE trained `steps` steps to reconstruct the dataset's pictures, saved with the scaling factor of its latents. */
async function writeTrainedVae(modelDir: string, config: Record<string, unknown>, rng: Rng, seed: number, steps: number): Promise<void> {
  const vae = AutoencoderKL.fromConfig(config);
  const weights = randomStateDict(vae, rng, ZERO_INIT_RESIDUAL);
  vae.loadStateDict(weights);
  weights.forEach((t) => t.dispose());
  if (!steps) {
    await saveModelComponent(path.join(modelDir, "vae"), vae, config, ["diffusers", "AutoencoderKL"]);
    return vae.dispose();
  }
  const images = await pictureTensor(Number(config.sample_size));
  const scalingFactor = trainTinyVae(vae, images, {
    ...VAE_TRAINING,
    steps,
    seed,
    onProgress: (step, loss) => console.log(`vae step ${step}/${steps}: reconstruction mse ${loss.toFixed(4)}`),
  });
  images.dispose();
  await saveModelComponent(path.join(modelDir, "vae"), vae, { ...config, scaling_factor: scalingFactor }, ["diffusers", "AutoencoderKL"]);
  vae.dispose();
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
  /** VAE training steps; 0 leaves the VAE random (fast, for tests that only need a valid pipeline). */
  vaeSteps?: number;
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
 * the tiny dataset's captions and the default validation prompts; either pads
 * to `maxLength` tokens (the text encoder's positions). Returns what it wrote, in words.
 */
async function writeTokenizer(modelDir: string, opts: MakeTinyOptions, maxLength: number): Promise<string> {
  const tokenizerFrom = opts.tokenizerFrom ?? DEFAULT_TOKENIZER_DIR;
  const missing = TOKENIZER_FILES.filter((f) => !fs.existsSync(path.join(tokenizerFrom, f)));
  const source = opts.tokenizer ?? (opts.tokenizerFrom !== undefined || !missing.length ? "clip" : "trained");
  const dir = path.join(modelDir, "tokenizer");
  if (source === "trained") {
    if (opts.tokenizerFrom !== undefined) throw new Error("--tokenizer_from only applies to --tokenizer clip");
    const bpe = trainBPE([...allCaptions(), ...DEFAULT_VALIDATION_PROMPTS], TRAINED_VOCAB_SIZE);
    await writeCLIPTokenizerFiles(dir, bpe, maxLength);
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
  const configFile = path.join(dir, "tokenizer_config.json");
  const config = JSON.parse(await fs.promises.readFile(configFile, "utf8")) as Record<string, unknown>;
  await fs.promises.writeFile(configFile, configJson({ ...config, model_max_length: maxLength }));
  return `CLIP's tokenizer copied from ${tokenizerFrom}`;
}

export async function makeTiny(outDir: string, opts: MakeTinyOptions = {}): Promise<TinyPaths> {
  const rng = new Rng(opts.seed ?? 0);
  const modelDir = path.join(outDir, "model");
  const datasetDir = path.join(outDir, "dataset");
  await fs.promises.mkdir(modelDir, { recursive: true });
  const size = SIZES[opts.config ?? "tiny"];
  const tokenizer = await writeTokenizer(modelDir, opts, Number(size.textEncoder.max_position_embeddings));
  const textEncoder = textEncoderConfig(await CLIPTokenizer.fromPretrained(modelDir), size.textEncoder);

  await writeRandomComponent(modelDir, "unet", UNet2DConditionModel.fromConfig(size.unet), size.unet, rng, ZERO_INIT_UNET);
  // Only the tiny VAE is trained here: SD1.5's would take hours on a CPU, and a full-size pipeline is for timing, not pictures.
  await writeTrainedVae(modelDir, size.vae, rng, opts.seed ?? 0, opts.config === "sd15" ? 0 : (opts.vaeSteps ?? VAE_TRAINING.steps));
  await writeRandomComponent(modelDir, "text_encoder", CLIPTextModel.fromConfig(textEncoder), textEncoder, rng);
  await fs.promises.mkdir(path.join(modelDir, "scheduler"), { recursive: true });
  await fs.promises.writeFile(path.join(modelDir, "scheduler", "scheduler_config.json"), configJson(SCHEDULER_CONFIG));
  await fs.promises.writeFile(path.join(modelDir, "model_index.json"), configJson(MODEL_INDEX));

  // Non-square images, so the resize-then-crop path is exercised.
  const dataset = datasetRows();
  const rows: CaptionedPng[] = [];
  for (let i = 0; i < (opts.numImages ?? dataset.length); i++) {
    const { spec, caption } = dataset[i % dataset.length];
    rows.push({ fileName: `${String(i).padStart(4, "0")}.png`, png: await renderPng(spec, 40, 32), text: caption });
  }
  const datasetLayout = await writeCaptionedDataset(datasetDir, rows);
  await fs.promises.writeFile(path.join(outDir, TINY_DEMO_VERSION_FILE), `${TINY_DEMO_VERSION}\n`);
  return { modelDir, datasetDir, datasetLayout, tokenizer };
}

/** make-tiny's command line (argparse, trainer/cli.ts). */
function parseArgs(argv: string[]): { out: string } & MakeTinyOptions {
  const parser = new CliParser({ prog: "npm run make-tiny --", description: "Writes a tiny random SD pipeline and a synthetic captioned dataset." });
  parser.add_argument("--out", { required: true, metavar: "DIR", help: "The folder to write the tiny pipeline and dataset to." });
  parser.add_argument("--tokenizer", { choices: ["clip", "trained"] });
  parser.add_argument("--tokenizer_from", { dest: "tokenizerFrom", metavar: "DIR" });
  parser.add_argument("--num_images", { dest: "numImages", type: numberArg("int", { min: 0 }), metavar: "N" });
  parser.add_argument("--seed", { type: numberArg("int", { min: 0 }), metavar: "S" });
  parser.add_argument("--config", { choices: ["tiny", "sd15"], help: "sd15: SD1.5's UNet, text encoder and VAE at their real sizes (default: tiny)." });
  parser.add_argument("--vae_steps", { dest: "vaeSteps", type: numberArg("int", { min: 0 }), metavar: "N", help: "Training steps of the tiny VAE." });
  return parseCli(parser, argv);
}

async function main(): Promise<void> {
  const args = parseOrExit("make-tiny", parseArgs, process.argv.slice(2));
  await selectBackend();
  const started = performance.now();
  const paths = await makeTiny(args.out, args);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`tiny pipeline: ${paths.modelDir}`);
  console.log(`tokenizer: ${paths.tokenizer}`);
  console.log(`tiny dataset (${paths.datasetLayout}): ${paths.datasetDir}`);
  console.log(`done in ${seconds}s; train on it with:`);
  console.log(`  npm run train -- --pretrained_model_name_or_path=${paths.modelDir} --dataset_name=${paths.datasetDir} --resolution=32 --max_train_steps=4`);
}

if (isMainModule(import.meta.url)) {
  main().catch((e) => {
    console.error(`make-tiny: error: ${(e as Error).message}`);
    process.exit(1);
  });
}
