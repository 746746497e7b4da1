/**
 * The trainer's command line: the flags of trainer/flags.ts parsed by the npm
 * port of Python's argparse, so the seed script's commands behave as they do
 * there (`--flag=value` and `--flag value`, booleans by presence, unique
 * prefixes accepted, argparse's messages).
 */
import { ArgumentParser, ArgumentTypeError, SUPPRESS } from "argparse";
import { DEFAULT_VALIDATION_PROMPTS, FLAG_NAMES, flagSpec, type FlagName, type FlagSpec, type TrainOptions } from "./flags";

/** Environment variables (process.env, or a hand-made set in tests). */
export type Env = Record<string, string | undefined>;

export type { TrainOptions };
export { DEFAULT_VALIDATION_PROMPTS };

/** Parsed options plus which flags the user actually wrote (defaults are not "given"). */
export interface ParsedOptions {
  options: TrainOptions;
  given: Set<FlagName>;
}

/** A bad command line; the message names the flag. The CLI exits with status 2. */
export class OptionsError extends Error {}

/** Thrown for --help; the message is the usage text. */
export class HelpRequested extends Error {}

/** argparse's parser, throwing OptionsError instead of printing and exiting. */
class TrainArgumentParser extends ArgumentParser {
  override error(message: string): never {
    throw new OptionsError(message);
  }
}

/** argparse `type` converters, named so its message reads "invalid int value: 'abc'". */
function numberType(name: FlagName, spec: FlagSpec): (raw: string) => number {
  const parse = (raw: string): number => {
    const value = spec.type === "int" ? (/^\s*[+-]?\d+\s*$/.test(raw) ? Number.parseInt(raw, 10) : NaN) : raw.trim() === "" ? NaN : Number(raw);
    if (Number.isNaN(value)) throw new TypeError(raw);
    if (spec.min !== undefined && value < spec.min) throw new ArgumentTypeError(`must be at least ${spec.min}, got ${raw}`);
    if (spec.multipleOf && value % spec.multipleOf.n !== 0) {
      throw new ArgumentTypeError(`must be a multiple of ${spec.multipleOf.n} (${spec.multipleOf.why}), got ${raw}`);
    }
    return value;
  };
  return Object.defineProperty(parse, "name", { value: spec.type === "int" ? "int" : "float" });
}

function helpText(spec: FlagSpec): string {
  const ignored = spec.ignored ? ` Accepted, not honoured: ${spec.ignored.why}.` : "";
  const shown = spec.type !== "bool" && spec.default !== null;
  return `${spec.help}${ignored}${shown ? ` (default: ${JSON.stringify(spec.default)})` : ""}`;
}

function trainParser(): TrainArgumentParser {
  // Defaults are filled in after parsing, so the namespace holds exactly the flags written.
  const parser = new TrainArgumentParser({ prog: "npm run train --", add_help: false, argument_default: SUPPRESS, suggest_on_error: false, color: false });
  parser.add_argument("-h", "--help", { action: "store_true", help: "Show this help message and exit." });
  for (const name of FLAG_NAMES) {
    const spec = flagSpec(name);
    const help = helpText(spec);
    if (spec.type === "bool") parser.add_argument(`--${name}`, { action: "store_true", help });
    else if (spec.type === "strs") parser.add_argument(`--${name}`, { nargs: "+", metavar: "PROMPT", help });
    else if (spec.type === "str") parser.add_argument(`--${name}`, { choices: spec.choices, help });
    else parser.add_argument(`--${name}`, { type: numberType(name, spec), metavar: spec.type.toUpperCase(), help });
  }
  return parser;
}

export function usage(): string {
  return trainParser().format_help();
}

/** Parses argv (without node and script) into the seed's options. Throws OptionsError on a bad command line. */
export function parseOptions(argv: string[], env: Env = process.env): ParsedOptions {
  const parser = trainParser();
  const written = parser.parse_args(argv) as Partial<Record<FlagName | "help", unknown>>;
  if (written.help) throw new HelpRequested(parser.format_help());
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
  const envRank = Number.parseInt(env.LOCAL_RANK ?? "-1", 10);
  if (Number.isInteger(envRank) && envRank !== -1) options.local_rank = envRank;
  options.inkstone_url ??= env.INKSTONE_URL ?? null;
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
