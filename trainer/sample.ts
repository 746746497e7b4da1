import * as fs from "node:fs";
import * as path from "node:path";
import { selectBackend } from "./backend";
import { StableDiffusionPipeline } from "./pipeline/stable_diffusion";
import { parseOrExit } from "./cli";
import { parseSampleArgs } from "./sample_options";

/** `npm run sample -- --model DIR --prompt "..." --out result.png`: one text-to-image generation to a PNG. */
async function main(): Promise<void> {
  const opts = parseOrExit("sample", parseSampleArgs, process.argv.slice(2));
  if (!fs.existsSync(path.join(opts.model, "model_index.json"))) {
    throw new Error(`--model: ${opts.model} is not a diffusers pipeline folder (no model_index.json)`);
  }
  const outDir = path.dirname(path.resolve(opts.out));
  if (!fs.existsSync(outDir)) throw new Error(`--out: folder ${outDir} does not exist`);
  await selectBackend(opts.backend ?? undefined);
  const loadStart = performance.now();
  const pipe = await StableDiffusionPipeline.fromPretrained(opts.model, {
    variant: opts.variant ?? undefined,
    scheduler: opts.scheduler ?? undefined,
  });
  console.log(`loaded ${opts.model} in ${((performance.now() - loadStart) / 1000).toFixed(1)}s`);
  const start = performance.now();
  const result = await pipe.generate({
    prompt: opts.prompt,
    negativePrompt: opts.negativePrompt,
    numInferenceSteps: opts.steps,
    guidanceScale: opts.guidanceScale,
    seed: opts.seed,
    height: opts.height ?? undefined,
    width: opts.width ?? undefined,
  });
  const [, height, width] = result.image.shape;
  result.image.dispose();
  pipe.dispose();
  fs.writeFileSync(opts.out, result.png);
  const seconds = (performance.now() - start) / 1000;
  console.log(`wrote ${opts.out} (${width}x${height}, ${opts.steps} steps, ${result.timesteps.length} UNet calls, ${seconds.toFixed(1)}s)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
