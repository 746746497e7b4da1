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

export const SAMPLE_USAGE = `usage: npm run sample -- --model DIR --prompt TEXT --out FILE.png
  [--negative_prompt TEXT] [--steps 20] [--guidance_scale 7.5] [--seed 42]
  [--height PX] [--width PX] [--scheduler pndm|ddim] [--variant NAME] [--backend tensorflow|webgpu|wasm|cpu]
DIR is a diffusers pipeline folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).
Height and width default to the UNet's sample_size times 8 and must be multiples of 8.`;

type Parser = (value: string, flag: string) => unknown;

const integer =
  (min: number): Parser =>
  (v, flag) => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
const text: Parser = (v) => v;
const finiteNumber: Parser = (v, flag) => {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new Error(`${flag} must be a number, got "${v}"`);
  return n;
};
const multipleOf8: Parser = (v, flag) => {
  const n = integer(8)(v, flag) as number;
  if (n % 8 !== 0) throw new Error(`${flag} must be a multiple of 8, got ${n}`);
  return n;
};
const schedulerName: Parser = (v, flag) => {
  if (v !== "pndm" && v !== "ddim") throw new Error(`${flag} must be pndm or ddim, got "${v}"`);
  return v;
};
const pngPath: Parser = (v, flag) => {
  if (!v.toLowerCase().endsWith(".png")) throw new Error(`${flag} must name a .png file, got "${v}"`);
  return v;
};

/** flag -> option key and value parser. */
const FLAGS: Record<string, [keyof SampleOptions, Parser]> = {
  "--model": ["model", text],
  "--prompt": ["prompt", text],
  "--negative_prompt": ["negativePrompt", text],
  "--steps": ["steps", integer(1)],
  "--guidance_scale": ["guidanceScale", finiteNumber],
  "--seed": ["seed", integer(0)],
  "--height": ["height", multipleOf8],
  "--width": ["width", multipleOf8],
  "--scheduler": ["scheduler", schedulerName],
  "--variant": ["variant", text],
  "--backend": ["backend", text],
  "--out": ["out", pngPath],
};

const REQUIRED = ["--model", "--prompt", "--out"];

/** Parses `--flag value` / `--flag=value` arguments; throws a message naming the flag on any problem. */
export function parseSampleArgs(argv: string[]): SampleOptions {
  const opts: SampleOptions = {
    model: "",
    prompt: "",
    negativePrompt: "",
    steps: 20,
    guidanceScale: 7.5,
    seed: 42,
    height: null,
    width: null,
    scheduler: null,
    variant: null,
    backend: null,
    out: "",
  };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[flag];
    if (!spec) throw new Error(`unknown argument "${arg}"\n${SAMPLE_USAGE}`);
    const value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (seen.has(flag)) throw new Error(`${flag} given twice`);
    seen.add(flag);
    (opts as unknown as Record<string, unknown>)[spec[0]] = spec[1](value, flag);
  }
  const missing = REQUIRED.filter((f) => !seen.has(f));
  if (missing.length) throw new Error(`missing ${missing.join(", ")}\n${SAMPLE_USAGE}`);
  return opts;
}
