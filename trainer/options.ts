/**
 * Command-line options of the trainer: the seed script's flags (sd_config.py of
 * Zeyi-Lin/Stable-Diffusion-Example), with the same names, defaults and argparse
 * behaviour (`--flag=value` and `--flag value`, booleans by presence, unique
 * prefixes accepted), plus the Inkstone integration flags.
 */
import { BACKENDS } from "./backend_names";
import { LR_SCHEDULERS } from "./training/lr_scheduler";

/** Environment variables (process.env, or a hand-made set in tests). */
export type Env = Record<string, string | undefined>;

export interface TrainOptions {
  input_perturbation: number;
  pretrained_model_name_or_path: string;
  revision: string | null;
  variant: string | null;
  dataset_name: string | null;
  dataset_config_name: string | null;
  train_data_dir: string | null;
  image_column: string;
  caption_column: string;
  max_train_samples: number | null;
  validation_prompts: string[];
  output_dir: string;
  cache_dir: string | null;
  seed: number | null;
  resolution: number;
  center_crop: boolean;
  random_flip: boolean;
  train_batch_size: number;
  num_train_epochs: number;
  max_train_steps: number | null;
  gradient_accumulation_steps: number;
  gradient_checkpointing: boolean;
  learning_rate: number;
  scale_lr: boolean;
  lr_scheduler: string;
  lr_warmup_steps: number;
  snr_gamma: number | null;
  dream_training: boolean;
  dream_detail_preservation: number;
  use_8bit_adam: boolean;
  allow_tf32: boolean;
  use_ema: boolean;
  non_ema_revision: string | null;
  dataloader_num_workers: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_weight_decay: number;
  adam_epsilon: number;
  max_grad_norm: number;
  prediction_type: string | null;
  logging_dir: string;
  mixed_precision: string | null;
  report_to: string;
  local_rank: number;
  checkpointing_steps: number;
  checkpoints_total_limit: number | null;
  resume_from_checkpoint: string | null;
  enable_xformers_memory_efficient_attention: boolean;
  noise_offset: number;
  validation_epochs: number;
  tracker_project_name: string;
  /** Inkstone tracker to report to (wired by the tracker integration). */
  inkstone_url: string | null;
  /** The TensorFlow.js backend (default: env INKSTONE_BACKEND, else the fastest available). */
  backend: string | null;
}

/** Parsed options plus which flags the user actually wrote (defaults are not "given"). */
export interface ParsedOptions {
  options: TrainOptions;
  given: Set<keyof TrainOptions>;
}

type FlagKind = "str" | "int" | "float" | "bool" | "strs";

interface FlagSpec {
  kind: FlagKind;
  default: unknown;
  help: string;
  choices?: readonly string[];
  /** Smallest accepted value for numbers (the seed would fail later, or loop forever, below it). */
  min?: number;
}

/** get_scheduler's schedules, less piecewise_constant, whose step rules the seed has no flag for. */
const LR_SCHEDULER_CHOICES = LR_SCHEDULERS.filter((s) => s !== "piecewise_constant");

export const DEFAULT_VALIDATION_PROMPTS = [
  "Bill Gates with a hoodie",
  "John Oliver with Naruto style",
  "Lebron James with a hat",
  "Mickael Jackson as a ninja",
];

const FLAGS: { [K in keyof TrainOptions]: FlagSpec } = {
  input_perturbation: { kind: "float", default: 0, help: "The scale of input perturbation. Recommended 0.1." },
  pretrained_model_name_or_path: {
    kind: "str",
    default: "runwayml/stable-diffusion-v1-5",
    help: "Pipeline folder in diffusers layout, or a model id on huggingface.co.",
  },
  revision: { kind: "str", default: null, help: "Revision of the hub model (branch, tag or commit)." },
  variant: { kind: "str", default: null, help: "Variant of the model weight files, e.g. fp16." },
  dataset_name: {
    kind: "str",
    default: "lambdalabs/naruto-blip-captions",
    help: "Dataset folder (parquet layout or image folder with metadata.jsonl) or a dataset id on huggingface.co.",
  },
  dataset_config_name: { kind: "str", default: null, help: "Config of the dataset (a data/<config> subfolder)." },
  train_data_dir: { kind: "str", default: null, help: "Image folder with a metadata.jsonl holding the captions." },
  image_column: { kind: "str", default: "image", help: "Dataset column holding the images." },
  caption_column: { kind: "str", default: "text", help: "Dataset column holding a caption or a list of captions." },
  max_train_samples: { kind: "int", default: null, min: 1, help: "Truncate the training set to this many examples." },
  validation_prompts: {
    kind: "strs",
    default: DEFAULT_VALIDATION_PROMPTS,
    help: "Prompts rendered every --validation_epochs epochs.",
  },
  output_dir: { kind: "str", default: "sd-model-finetuned", help: "Where checkpoints and the final pipeline go." },
  cache_dir: { kind: "str", default: null, help: "Hugging Face hub cache folder (default: HF_HUB_CACHE / HF_HOME)." },
  seed: { kind: "int", default: null, help: "A seed for reproducible training." },
  resolution: { kind: "int", default: 512, min: 8, help: "Training images are resized and cropped to this size." },
  center_crop: { kind: "bool", default: false, help: "Center crop (otherwise random crop) after resizing." },
  random_flip: { kind: "bool", default: false, help: "Randomly flip images horizontally." },
  train_batch_size: { kind: "int", default: 16, min: 1, help: "Batch size of the training dataloader." },
  num_train_epochs: { kind: "int", default: 100, min: 1, help: "Epochs to train (unless --max_train_steps)." },
  max_train_steps: { kind: "int", default: null, min: 1, help: "Optimizer steps to train; overrides --num_train_epochs." },
  gradient_accumulation_steps: { kind: "int", default: 1, min: 1, help: "Micro-batches per optimizer step." },
  gradient_checkpointing: { kind: "bool", default: false, help: "Recompute UNet activations in the backward pass." },
  learning_rate: { kind: "float", default: 1e-4, help: "Learning rate after warmup." },
  scale_lr: { kind: "bool", default: false, help: "Multiply the learning rate by accumulation steps and batch size." },
  lr_scheduler: { kind: "str", default: "constant", choices: LR_SCHEDULER_CHOICES, help: "Learning-rate schedule." },
  lr_warmup_steps: { kind: "int", default: 500, min: 0, help: "Warmup steps of the learning-rate schedule." },
  snr_gamma: { kind: "float", default: null, help: "Min-SNR loss weighting gamma (recommended 5.0)." },
  dream_training: { kind: "bool", default: false, help: "DREAM training (accepted, not implemented)." },
  dream_detail_preservation: { kind: "float", default: 1.0, help: "DREAM detail preservation factor." },
  use_8bit_adam: { kind: "bool", default: false, help: "8-bit Adam (accepted, not available in TensorFlow.js)." },
  allow_tf32: { kind: "bool", default: false, help: "TF32 matmuls (accepted, not available in TensorFlow.js)." },
  use_ema: { kind: "bool", default: false, help: "Keep an EMA of the UNet weights and save it as the final UNet." },
  non_ema_revision: { kind: "str", default: null, help: "Revision of the non-EMA UNet (defaults to --revision)." },
  dataloader_num_workers: { kind: "int", default: 0, min: 0, help: "Data loading processes (accepted, not used)." },
  adam_beta1: { kind: "float", default: 0.9, help: "AdamW beta1." },
  adam_beta2: { kind: "float", default: 0.999, help: "AdamW beta2." },
  adam_weight_decay: { kind: "float", default: 1e-2, help: "AdamW weight decay." },
  adam_epsilon: { kind: "float", default: 1e-8, help: "AdamW epsilon." },
  max_grad_norm: { kind: "float", default: 1.0, help: "Clip the global gradient norm to this value." },
  prediction_type: {
    kind: "str",
    default: null,
    choices: ["epsilon", "v_prediction"],
    help: "Training target; defaults to the noise scheduler's prediction_type.",
  },
  logging_dir: { kind: "str", default: "logs", help: "Log folder under --output_dir (accepted, not used)." },
  mixed_precision: {
    kind: "str",
    default: null,
    choices: ["no", "fp16", "bf16"],
    help: "Mixed precision (accepted; TensorFlow.js trains in float32).",
  },
  report_to: { kind: "str", default: "tensorboard", help: "Tracker integration (metrics go to the Inkstone logger)." },
  local_rank: { kind: "int", default: -1, help: "Distributed rank (accepted, single process only)." },
  checkpointing_steps: { kind: "int", default: 500, min: 1, help: "Save a resumable checkpoint every N steps." },
  checkpoints_total_limit: { kind: "int", default: null, min: 1, help: "Keep at most this many checkpoints." },
  resume_from_checkpoint: { kind: "str", default: null, help: 'A checkpoint folder, or "latest".' },
  enable_xformers_memory_efficient_attention: { kind: "bool", default: false, help: "xformers (accepted, not used)." },
  noise_offset: { kind: "float", default: 0, help: "The scale of noise offset." },
  validation_epochs: { kind: "int", default: 5, min: 1, help: "Run validation every N epochs." },
  tracker_project_name: { kind: "str", default: "text2image-fine-tune", help: "Project name in the tracker." },
  inkstone_url: { kind: "str", default: null, help: "Inkstone server to report to (default: env INKSTONE_URL)." },
  backend: {
    kind: "str",
    default: null,
    choices: [...BACKENDS],
    help: "TensorFlow.js backend (default: env INKSTONE_BACKEND, else tensorflow, a hardware webgpu adapter, wasm, cpu in that order).",
  },
};

const FLAG_NAMES = Object.keys(FLAGS) as Array<keyof TrainOptions>;

/** A bad command line; the message names the flag. The CLI exits with status 2. */
export class OptionsError extends Error {}

/** Thrown for --help; the message is the usage text. */
export class HelpRequested extends Error {}

/** argparse's unique-prefix matching: `--validation_prompt` means `--validation_prompts`. */
function resolveFlag(written: string): keyof TrainOptions {
  const name = written.slice(2);
  if ((FLAGS as Record<string, FlagSpec>)[name]) return name as keyof TrainOptions;
  const matches = FLAG_NAMES.filter((f) => f.startsWith(name));
  if (matches.length === 1 && name.length > 0) return matches[0];
  if (matches.length > 1 && name.length > 0) {
    throw new OptionsError(`ambiguous option: ${written} could match ${matches.map((m) => `--${m}`).join(", ")}`);
  }
  throw new OptionsError(`unrecognized argument: ${written} (run with --help for the list of flags)`);
}

/** Like argparse: a token that starts with "-" is an option unless it reads as a negative number. */
function looksLikeOption(token: string): boolean {
  return token.startsWith("-") && !/^-\d*\.?\d+(e[+-]?\d+)?$/i.test(token);
}

function convert(flag: keyof TrainOptions, spec: FlagSpec, raw: string): unknown {
  const fail = (what: string): never => {
    throw new OptionsError(`argument --${flag}: invalid ${what} value: '${raw}'`);
  };
  let value: unknown = raw;
  if (spec.kind === "int") {
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) fail("int");
    value = Number.parseInt(raw, 10);
  } else if (spec.kind === "float") {
    const v = Number(raw.trim());
    if (raw.trim() === "" || Number.isNaN(v)) fail("float");
    value = v;
  }
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new OptionsError(
      `argument --${flag}: invalid choice: '${raw}' (choose from ${spec.choices.map((c) => `'${c}'`).join(", ")})`,
    );
  }
  if (spec.min !== undefined && typeof value === "number" && value < spec.min) {
    throw new OptionsError(`argument --${flag}: must be at least ${spec.min}, got ${raw}`);
  }
  return value;
}

export function usage(): string {
  const lines = FLAG_NAMES.map((f) => {
    const spec = FLAGS[f];
    const arg = spec.kind === "bool" ? "" : spec.kind === "strs" ? " PROMPT [PROMPT ...]" : ` ${spec.kind.toUpperCase()}`;
    const def = spec.kind === "bool" || spec.default === null ? "" : ` (default: ${JSON.stringify(spec.default)})`;
    return `  --${f}${arg}\n      ${spec.help}${def}`;
  });
  return ["usage: npm run train -- [--flag=value ...]", "", "options:", ...lines].join("\n");
}

/** Parses argv (without node and script) into the seed's options. Throws OptionsError on a bad command line. */
export function parseOptions(argv: string[], env: Env = process.env): ParsedOptions {
  const values = Object.fromEntries(
    FLAG_NAMES.map((f) => {
      const d = FLAGS[f].default;
      return [f, Array.isArray(d) ? [...d] : d];
    }),
  ) as Record<keyof TrainOptions, unknown>;
  const given = new Set<keyof TrainOptions>();

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "-h" || token === "--help") throw new HelpRequested(usage());
    if (!token.startsWith("--")) throw new OptionsError(`unrecognized argument: ${token}`);
    const eq = token.indexOf("=");
    const written = eq >= 0 ? token.slice(0, eq) : token;
    const inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    const flag = resolveFlag(written);
    const spec = FLAGS[flag];
    given.add(flag);

    if (spec.kind === "bool") {
      if (inline !== undefined) throw new OptionsError(`argument --${flag}: ignored explicit argument '${inline}'`);
      values[flag] = true;
      continue;
    }
    if (spec.kind === "strs") {
      const items: string[] = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < argv.length && !looksLikeOption(argv[i + 1])) items.push(argv[++i]);
      if (items.length === 0) throw new OptionsError(`argument --${flag}: expected at least one argument`);
      values[flag] = items;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= argv.length || looksLikeOption(argv[i + 1])) {
        throw new OptionsError(`argument --${flag}: expected one argument`);
      }
      raw = argv[++i];
    }
    values[flag] = convert(flag, spec, raw);
  }

  const options = values as unknown as TrainOptions;
  if (options.dataset_name === null && options.train_data_dir === null) {
    throw new OptionsError("argument --dataset_name: need either a dataset name or a --train_data_dir folder");
  }
  if (options.resolution % 8 !== 0) {
    throw new OptionsError(`argument --resolution: must be a multiple of 8 (the VAE downsamples by 8), got ${options.resolution}`);
  }
  // As the seed: the non-EMA UNet comes from the same revision unless told otherwise.
  options.non_ema_revision ??= options.revision;
  const envRank = Number.parseInt(env.LOCAL_RANK ?? "-1", 10);
  if (Number.isInteger(envRank) && envRank !== -1) options.local_rank = envRank;
  options.inkstone_url ??= env.INKSTONE_URL ?? null;
  return { options, given };
}

/**
 * Options this TensorFlow.js trainer accepts for compatibility but cannot honour,
 * as one line for the log, or null when every given option is honoured.
 */
export function unhonouredOptionsNote({ options: o, given }: ParsedOptions): string | null {
  const notes: string[] = [];
  if (o.mixed_precision === "fp16" || o.mixed_precision === "bf16") {
    notes.push(`--mixed_precision=${o.mixed_precision} (TensorFlow.js trains in float32)`);
  }
  if (o.dataloader_num_workers > 0) notes.push(`--dataloader_num_workers=${o.dataloader_num_workers} (images decode on sharp's thread pool)`);
  if (o.use_8bit_adam) notes.push("--use_8bit_adam (plain float32 AdamW)");
  if (o.allow_tf32) notes.push("--allow_tf32");
  if (o.enable_xformers_memory_efficient_attention) notes.push("--enable_xformers_memory_efficient_attention");
  if (o.dream_training) notes.push("--dream_training (not implemented; plain loss)");
  if (given.has("report_to")) notes.push(`--report_to=${o.report_to} (metrics go to the Inkstone logger)`);
  if (given.has("logging_dir")) notes.push("--logging_dir");
  if (o.local_rank !== -1) notes.push(`--local_rank=${o.local_rank} (single process)`);
  return notes.length ? `accepted but not honoured by the TensorFlow.js trainer: ${notes.join(", ")}` : null;
}

/** Epoch and step counts derived as the seed derives them once the dataloader exists. */
export interface TrainingSchedule {
  numExamples: number;
  /** Batches per epoch: ceil(examples / batch size), the last batch may be short (drop_last=False). */
  batchesPerEpoch: number;
  numUpdateStepsPerEpoch: number;
  maxTrainSteps: number;
  numTrainEpochs: number;
  totalBatchSize: number;
  learningRate: number;
}

export function trainingSchedule(o: TrainOptions, numExamples: number): TrainingSchedule {
  const batchesPerEpoch = Math.ceil(numExamples / o.train_batch_size);
  const numUpdateStepsPerEpoch = Math.ceil(batchesPerEpoch / o.gradient_accumulation_steps);
  const maxTrainSteps = o.max_train_steps ?? o.num_train_epochs * numUpdateStepsPerEpoch;
  const numProcesses = 1;
  return {
    numExamples,
    batchesPerEpoch,
    numUpdateStepsPerEpoch,
    maxTrainSteps,
    numTrainEpochs: Math.ceil(maxTrainSteps / numUpdateStepsPerEpoch),
    totalBatchSize: o.train_batch_size * numProcesses * o.gradient_accumulation_steps,
    learningRate: o.scale_lr
      ? o.learning_rate * o.gradient_accumulation_steps * o.train_batch_size * numProcesses
      : o.learning_rate,
  };
}
