/**
 * The trainer's command line: the flags of trainer/flags.ts parsed by the npm
 * port of Python's argparse, so the seed script's commands behave as they do
 * there (`--flag=value` and `--flag value`, booleans by presence, unique
 * prefixes accepted, argparse's messages).
 */
import { SUPPRESS } from "argparse";
import { CliParser, HelpRequested, numberArg, OptionsError, parseCli } from "./cli";
import { DEFAULT_VALIDATION_PROMPTS, FLAG_NAMES, flagSpec, type FlagName, type FlagSpec, type TrainOptions } from "./flags";
import { readEnv, type Env } from "@/lib/config/env";

export type { TrainOptions };
export { DEFAULT_VALIDATION_PROMPTS, HelpRequested, OptionsError };

/** Parsed options plus which flags the user actually wrote (defaults are not "given"). */
export interface ParsedOptions {
  options: TrainOptions;
  given: Set<FlagName>;
}

function helpText(spec: FlagSpec): string {
  const ignored = spec.ignored ? ` Accepted, not honoured: ${spec.ignored.why}.` : "";
  const shown = spec.type !== "bool" && spec.default !== null;
  return `${spec.help}${ignored}${shown ? ` (default: ${JSON.stringify(spec.default)})` : ""}`;
}

function trainParser(): CliParser {
  // Defaults are filled in after parsing, so the namespace holds exactly the flags written.
  const parser = new CliParser({ prog: "npm run train --", argument_default: SUPPRESS });
  for (const name of FLAG_NAMES) {
    const spec = flagSpec(name);
    const help = helpText(spec);
    if (spec.type === "bool") parser.add_argument(`--${name}`, { action: "store_true", help });
    else if (spec.type === "strs") parser.add_argument(`--${name}`, { nargs: "+", metavar: "PROMPT", help });
    else if (spec.type === "str") parser.add_argument(`--${name}`, { choices: spec.choices, help });
    else parser.add_argument(`--${name}`, { type: numberArg(spec.type, spec), metavar: spec.type.toUpperCase(), help });
  }
  return parser;
}

export function usage(): string {
  return trainParser().format_help();
}

/** Parses argv (without node and script) into the seed's options. Throws OptionsError on a bad command line. */
export function parseOptions(argv: string[], env: Env = process.env): ParsedOptions {
  const written = parseCli<Partial<Record<FlagName, unknown>>>(trainParser(), argv);
  const given = new Set(FLAG_NAMES.filter((name) => name in written));
  const options = Object.fromEntries(
    FLAG_NAMES.map((name) => {
      const d = flagSpec(name).default;
      return [name, given.has(name) ? written[name] : Array.isArray(d) ? [...d] : d];
    }),
  ) as TrainOptions;
  if (options.dataset_name === null && options.train_data_dir === null) {
    throw new OptionsError("argument --dataset_name: need either a dataset name or a --train_data_dir folder");
  }
  const envRank = readEnv("LOCAL_RANK", env);
  if (envRank !== -1) options.local_rank = envRank;
  options.inkstone_url ??= readEnv("INKSTONE_URL", env) ?? null;
  return { options, given };
}

/**
 * Options this TensorFlow.js trainer accepts for compatibility but cannot honour
 * (FLAGS' `ignored`), as one line for the log, or null when every option is honoured.
 */
export function unhonouredOptionsNote({ options }: ParsedOptions): string | null {
  const notes = FLAG_NAMES.flatMap((name) => {
    const { ignored, default: d, type } = flagSpec(name);
    const value = options[name];
    if (!ignored || (ignored.honoured ?? [d]).includes(value)) return [];
    return [`${type === "bool" ? `--${name}` : `--${name}=${value}`} (${ignored.why})`];
  });
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
