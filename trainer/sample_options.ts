/** The command line of `npm run sample`, parsed by argparse (trainer/cli.ts). */
import { ArgumentTypeError, RawDescriptionHelpFormatter } from "argparse";
import { CliParser, numberArg, parseCli } from "./cli";
import type { SchedulerName } from "./pipeline/stable_diffusion";

/** Flags of `npm run sample`. */
export interface SampleOptions {
  model: string;
  prompt: string;
  negativePrompt: string;
  steps: number;
  guidanceScale: number;
  seed: number;
  height: number | null;
  width: number | null;
  scheduler: SchedulerName | null;
  variant: string | null;
  backend: string | null;
  out: string;
}

const DESCRIPTION = `One text-to-image generation to a PNG.
DIR is a diffusers pipeline folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).
Height and width default to the UNet's sample_size times 8 and must be multiples of 8.`;

/** An argparse `type` for --out. */
function pngPath(raw: string): string {
  if (!raw.toLowerCase().endsWith(".png")) throw new ArgumentTypeError(`must name a .png file, got "${raw}"`);
  return raw;
}

function sampleParser(): CliParser {
  const parser = new CliParser({ prog: "npm run sample --", description: DESCRIPTION, formatter_class: RawDescriptionHelpFormatter });
  const pixels = numberArg("int", { min: 8, multipleOf: { n: 8, why: "the VAE downsamples by 8" } });
  parser.add_argument("--model", { required: true, metavar: "DIR", help: "The pipeline folder." });
  parser.add_argument("--prompt", { required: true, metavar: "TEXT" });
  parser.add_argument("--out", { required: true, type: pngPath, metavar: "FILE.png" });
  parser.add_argument("--negative_prompt", { dest: "negativePrompt", default: "", metavar: "TEXT" });
  parser.add_argument("--steps", { type: numberArg("int", { min: 1 }), default: 20, metavar: "N", help: "Denoising steps (default: 20)." });
  parser.add_argument("--guidance_scale", { dest: "guidanceScale", type: numberArg("float"), default: 7.5, metavar: "SCALE", help: "Classifier-free guidance (default: 7.5)." });
  parser.add_argument("--seed", { type: numberArg("int", { min: 0 }), default: 42, metavar: "N", help: "(default: 42)" });
  parser.add_argument("--height", { type: pixels, default: null, metavar: "PX" });
  parser.add_argument("--width", { type: pixels, default: null, metavar: "PX" });
  parser.add_argument("--scheduler", { choices: ["pndm", "ddim"], default: null, help: "(default: the pipeline's)" });
  parser.add_argument("--variant", { default: null, metavar: "NAME", help: "Weight file variant, e.g. fp16." });
  parser.add_argument("--backend", { default: null, metavar: "tensorflow|webgpu|wasm|cpu" });
  return parser;
}

/** Parses `npm run sample`'s arguments; throws OptionsError (naming the flag) or HelpRequested. */
export function parseSampleArgs(argv: string[]): SampleOptions {
  return parseCli<SampleOptions>(sampleParser(), argv);
}
