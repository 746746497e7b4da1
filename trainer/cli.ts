/**
 * argparse (the npm port of Python's) for the trainer's command lines: a bad
 * command line throws OptionsError, whose message names the flag, so callers
 * and tests decide how to report it; number arguments name their type in
 * messages ("invalid int value: 'abc'") and check their bounds.
 */
import { ArgumentParser, ArgumentTypeError, type ArgumentParserOptions } from "argparse";
import { checkEnv, EnvError } from "@/lib/config/env";

/** A bad command line; the message names the flag. The CLIs exit with status 2. */
export class OptionsError extends Error {}

/** Thrown for --help; the message is the usage text. */
export class HelpRequested extends Error {}

export class CliParser extends ArgumentParser {
  constructor(opts: ArgumentParserOptions) {
    // --help is handled by parseCli, so that it throws instead of exiting.
    super({ ...opts, add_help: false, suggest_on_error: false, color: false });
    this.add_argument("-h", "--help", { action: "store_true", help: "Show this help message and exit." });
  }

  override error(message: string): never {
    throw new OptionsError(message);
  }
}

/** Parses argv; throws HelpRequested (with the usage text) for -h/--help, OptionsError for a bad command line. */
export function parseCli<T>(parser: CliParser, argv: string[]): T {
  // Before parsing, so that --help works without the required flags.
  if (argv.includes("-h") || argv.includes("--help")) throw new HelpRequested(parser.format_help());
  const args = parser.parse_args(argv) as T & { help?: boolean };
  delete args.help;
  return args;
}

export interface NumberBounds {
  min?: number;
  multipleOf?: { n: number; why: string };
}

/** An argparse `type` for a whole or a finite real number within bounds. */
export function numberArg(type: "int" | "float", bounds: NumberBounds = {}): (raw: string) => number {
  const parse = (raw: string): number => {
    const trimmed = raw.trim();
    const value = type === "int" ? (/^[+-]?\d+$/.test(trimmed) ? Number.parseInt(trimmed, 10) : NaN) : trimmed === "" ? NaN : Number(trimmed);
    // A TypeError reads as argparse's "invalid int value: '...'".
    if (!Number.isFinite(value)) throw new TypeError(raw);
    if (bounds.min !== undefined && value < bounds.min) throw new ArgumentTypeError(`must be at least ${bounds.min}, got ${raw}`);
    if (bounds.multipleOf && value % bounds.multipleOf.n !== 0) {
      throw new ArgumentTypeError(`must be a multiple of ${bounds.multipleOf.n} (${bounds.multipleOf.why}), got ${raw}`);
    }
    return value;
  };
  return Object.defineProperty(parse, "name", { value: type });
}

/** An argparse `type` for a comma-separated list ("wasm,cpu"), each item through `item`. */
export function listArg<T>(item: (raw: string) => T = (raw) => raw as T): (raw: string) => T[] {
  const parse = (raw: string): T[] => raw.split(",").filter(Boolean).map(item);
  return Object.defineProperty(parse, "name", { value: "list" });
}

/** For a CLI's main: the parsed arguments; --help prints the usage (exit 0), a bad command line one line naming the flag (exit 2). */
export function parseOrExit<T>(prog: string, parse: (argv: string[]) => T, argv: string[]): T {
  try {
    checkEnv("trainer");
    return parse(argv);
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(e.message);
      process.exit(0);
    }
    if (e instanceof OptionsError || e instanceof EnvError) {
      console.error(`${prog}: error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}
