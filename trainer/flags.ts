/**
 * The trainer's flags, as data: the seed script's (sd_config.py of
 * Zeyi-Lin/Stable-Diffusion-Example, same names and defaults) plus Inkstone's.
 * The argv parser (trainer/options.ts), the new-run form's validation
 * (lib/server/launcher/run-form.ts) and its layout (components/launch/form-fields.ts)
 * are all derived from this table. No imports beyond plain data: the web app
 * bundles it.
 */
import { BACKENDS } from "./backend_names";
import { LR_SCHEDULERS } from "./training/lr_scheduler";

/** How a flag is written: `bool` by presence, `strs` takes one or more words (argparse nargs="+"). */
export type FlagType = "str" | "int" | "float" | "bool" | "strs";

/** The new-run form's sections, in page order. */
export const FORM_GROUPS = ["Model and data", "Training", "Validation"] as const;
export type FormGroup = (typeof FORM_GROUPS)[number];

/** How the new-run form shows a flag; flags without one are command-line only. */
export interface FormField {
  group: FormGroup;
  /** Shown instead of the flag's name. */
  label?: string;
  hint?: string;
  placeholder?: string;
  /** Form-only bounds (the form refuses what would tie up the machine; the trainer accepts it). */
  min?: number;
  max?: number;
  /** May be left empty (the trainer's default applies). */
  optional?: true;
  /** A float that must be greater than 0. */
  positive?: true;
  /** A hub id or a folder on the server; `own-folder`: empty means a folder of the run's own. */
  path?: "hub-or-folder" | "own-folder";
}

/** A value the trainer accepts for compatibility with the seed's command but cannot honour. */
export interface Ignored {
  why: string;
  /** Values that need no warning (default: the flag's default). */
  honoured?: readonly unknown[];
}

export interface FlagSpec {
  type: FlagType;
  default: string | number | boolean | null | readonly string[];
  help: string;
  choices?: readonly string[];
  /** Smallest accepted number (the seed would fail later, or loop forever, below it). */
  min?: number;
  multipleOf?: { n: number; why: string };
  ignored?: Ignored;
  form?: FormField;
}

export const DEFAULT_VALIDATION_PROMPTS: readonly string[] = [
  "Bill Gates with a hoodie",
  "John Oliver with Naruto style",
  "Lebron James with a hat",
  "Mickael Jackson as a ninja",
];

/** get_scheduler's schedules, less piecewise_constant, whose step rules the seed has no flag for. */
export const LR_SCHEDULER_CHOICES: readonly string[] = LR_SCHEDULERS.filter((s) => s !== "piecewise_constant");

const NOT_IN_TFJS = "not available in TensorFlow.js";

/** A model or dataset field: a hub id or a folder on the server. */
const hubOrFolder = (label: string, hint: string): FormField => ({ group: "Model and data", label, hint, path: "hub-or-folder" });

/** Every flag, in the seed's order (the order of --help). */
export const FLAGS = {
  input_perturbation: { type: "float", default: 0, help: "The scale of input perturbation. Recommended 0.1." },
  pretrained_model_name_or_path: {
    type: "str",
    default: "runwayml/stable-diffusion-v1-5",
    help: "Pipeline folder in diffusers layout, or a model id on huggingface.co.",
    form: hubOrFolder("Model", "A hub id (runwayml/stable-diffusion-v1-5) or a folder on the server in diffusers layout."),
  },
  revision: { type: "str", default: null, help: "Revision of the hub model (branch, tag or commit)." },
  variant: { type: "str", default: null, help: "Variant of the model weight files, e.g. fp16." },
  dataset_name: {
    type: "str",
    default: "lambdalabs/naruto-blip-captions",
    help: "Dataset folder (parquet layout or image folder with metadata.jsonl) or a dataset id on huggingface.co.",
    form: hubOrFolder("Dataset", "A hub id (lambdalabs/naruto-blip-captions) or a folder on the server."),
  },
  dataset_config_name: { type: "str", default: null, help: "Config of the dataset (a data/<config> subfolder)." },
  train_data_dir: { type: "str", default: null, help: "Image folder with a metadata.jsonl holding the captions." },
  image_column: { type: "str", default: "image", help: "Dataset column holding the images." },
  caption_column: { type: "str", default: "text", help: "Dataset column holding a caption or a list of captions." },
  max_train_samples: { type: "int", default: null, min: 1, help: "Truncate the training set to this many examples." },
  validation_prompts: {
    type: "strs",
    default: DEFAULT_VALIDATION_PROMPTS,
    help: "Prompts rendered every --validation_epochs epochs.",
    form: { group: "Validation", hint: "One prompt per line; one image per prompt at each validation epoch.", max: 16 },
  },
  output_dir: {
    type: "str",
    default: "sd-model-finetuned",
    help: "Where checkpoints and the final pipeline go.",
    form: {
      group: "Model and data",
      label: "Output folder",
      hint: "Checkpoints and the final pipeline go here, under the server's data/outputs/. Empty: a folder of the run's own.",
      placeholder: "<run id>",
      path: "own-folder",
    },
  },
  cache_dir: { type: "str", default: null, help: "Hugging Face hub cache folder (default: HF_HUB_CACHE / HF_HOME)." },
  seed: {
    type: "int",
    default: null,
    help: "A seed for reproducible training.",
    form: { group: "Training", hint: "Empty for a random seed.", optional: true, min: 0, max: 2 ** 32 - 1 },
  },
  resolution: {
    type: "int",
    default: 512,
    min: 8,
    multipleOf: { n: 8, why: "the VAE downsamples by 8" },
    help: "Training images are resized and cropped to this size.",
    form: { group: "Training", hint: "Multiple of 8.", max: 2048 },
  },
  center_crop: { type: "bool", default: false, help: "Center crop (otherwise random crop) after resizing.", form: { group: "Training" } },
  random_flip: { type: "bool", default: false, help: "Randomly flip images horizontally.", form: { group: "Training" } },
  train_batch_size: { type: "int", default: 16, min: 1, help: "Batch size of the training dataloader.", form: { group: "Training", max: 256 } },
  num_train_epochs: { type: "int", default: 100, min: 1, help: "Epochs to train (unless --max_train_steps)." },
  max_train_steps: {
    type: "int",
    default: null,
    min: 1,
    help: "Optimizer steps to train; overrides --num_train_epochs.",
    form: { group: "Training", max: 10_000_000 },
  },
  gradient_accumulation_steps: { type: "int", default: 1, min: 1, help: "Micro-batches per optimizer step.", form: { group: "Training", max: 1024 } },
  gradient_checkpointing: { type: "bool", default: false, help: "Recompute UNet activations in the backward pass.", form: { group: "Training" } },
  learning_rate: { type: "float", default: 1e-4, help: "Learning rate after warmup.", form: { group: "Training", positive: true, max: 1 } },
  scale_lr: { type: "bool", default: false, help: "Multiply the learning rate by accumulation steps and batch size." },
  lr_scheduler: { type: "str", default: "constant", choices: LR_SCHEDULER_CHOICES, help: "Learning-rate schedule.", form: { group: "Training" } },
  lr_warmup_steps: { type: "int", default: 500, min: 0, help: "Warmup steps of the learning-rate schedule.", form: { group: "Training", max: 10_000_000 } },
  snr_gamma: { type: "float", default: null, help: "Min-SNR loss weighting gamma (recommended 5.0)." },
  dream_training: { type: "bool", default: false, help: "DREAM training.", ignored: { why: "not implemented; plain loss" } },
  dream_detail_preservation: { type: "float", default: 1.0, help: "DREAM detail preservation factor." },
  use_8bit_adam: { type: "bool", default: false, help: "8-bit Adam.", ignored: { why: "plain float32 AdamW" } },
  allow_tf32: { type: "bool", default: false, help: "TF32 matmuls.", ignored: { why: NOT_IN_TFJS } },
  use_ema: { type: "bool", default: false, help: "Keep an EMA of the UNet weights and save it as the final UNet.", form: { group: "Training" } },
  non_ema_revision: {
    type: "str",
    default: null,
    help: "Revision of the non-EMA UNet.",
    ignored: { why: "the UNet loads from --revision" },
  },
  dataloader_num_workers: {
    type: "int",
    default: 0,
    min: 0,
    help: "Data loading processes.",
    ignored: { why: "images decode on sharp's thread pool" },
  },
  adam_beta1: { type: "float", default: 0.9, help: "AdamW beta1." },
  adam_beta2: { type: "float", default: 0.999, help: "AdamW beta2." },
  adam_weight_decay: { type: "float", default: 1e-2, help: "AdamW weight decay." },
  adam_epsilon: { type: "float", default: 1e-8, help: "AdamW epsilon." },
  max_grad_norm: {
    type: "float",
    default: 1.0,
    help: "Clip the global gradient norm to this value.",
    form: { group: "Training", positive: true, max: 1e6 },
  },
  prediction_type: {
    type: "str",
    default: null,
    choices: ["epsilon", "v_prediction"],
    help: "Training target; defaults to the noise scheduler's prediction_type.",
  },
  logging_dir: { type: "str", default: "logs", help: "Log folder under --output_dir, used when not reporting to Inkstone." },
  mixed_precision: {
    type: "str",
    default: null,
    choices: ["no", "fp16", "bf16"],
    help: "Mixed precision.",
    ignored: { why: "TensorFlow.js trains in float32", honoured: [null, "no"] },
  },
  report_to: {
    type: "str",
    default: "tensorboard",
    help: "Tracker integration: inkstone reports to the Inkstone server (INKSTONE_URL or http://127.0.0.1:3000).",
    ignored: { why: "metrics go to the Inkstone logger", honoured: ["tensorboard", "inkstone"] },
  },
  local_rank: { type: "int", default: -1, help: "Distributed rank (also env LOCAL_RANK).", ignored: { why: "single process" } },
  checkpointing_steps: {
    type: "int",
    default: 500,
    min: 1,
    help: "Save a resumable checkpoint every N steps.",
    form: { group: "Training", max: 10_000_000 },
  },
  checkpoints_total_limit: { type: "int", default: null, min: 1, help: "Keep at most this many checkpoints." },
  resume_from_checkpoint: { type: "str", default: null, help: 'A checkpoint folder, or "latest".' },
  enable_xformers_memory_efficient_attention: { type: "bool", default: false, help: "xformers attention.", ignored: { why: NOT_IN_TFJS } },
  noise_offset: { type: "float", default: 0, help: "The scale of noise offset." },
  validation_epochs: {
    type: "int",
    default: 5,
    min: 1,
    help: "Run validation every N epochs.",
    form: { group: "Validation", hint: "Validate every N epochs.", max: 100_000 },
  },
  tracker_project_name: { type: "str", default: "text2image-fine-tune", help: "Project name in the tracker." },
  inkstone_url: { type: "str", default: null, help: "Inkstone server to report to (default: env INKSTONE_URL)." },
  backend: {
    type: "str",
    default: null,
    choices: BACKENDS,
    help: "TensorFlow.js backend (default: env INKSTONE_BACKEND, else tensorflow, a hardware webgpu adapter, wasm, cpu in that order).",
  },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

type ValueOf<S extends FlagSpec> = S["type"] extends "int" | "float"
  ? number
  : S["type"] extends "bool"
    ? boolean
    : S["type"] extends "strs"
      ? string[]
      : string;

/** The parsed flags: each flag's value, null where the default is null and the flag was not given. */
export type TrainOptions = {
  -readonly [K in FlagName]: ValueOf<(typeof FLAGS)[K]> | ((typeof FLAGS)[K] extends { default: null } ? null : never);
};

/** The flags the new-run form shows. */
export type FormFlagName = { [K in FlagName]: (typeof FLAGS)[K] extends { form: FormField } ? K : never }[FlagName];

export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];

/** The table entry of a flag, widened for code that walks every flag. */
export function flagSpec(name: FlagName): FlagSpec {
  return FLAGS[name];
}

export const FORM_FLAG_NAMES = FLAG_NAMES.filter((n) => flagSpec(n).form !== undefined) as FormFlagName[];
