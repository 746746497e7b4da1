import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { selectBackend } from "../../../trainer/backend";
import { allClose } from "../../../trainer/conformance/compare";
import type { GoldenCase } from "../../../trainer/conformance/types";
import { nchwToNhwc, nhwcToNchw } from "../../../trainer/nn/layout";
import { StableDiffusionPipeline, type SchedulerName } from "../../../trainer/pipeline/stable_diffusion";
import { parseSampleArgs } from "../../../trainer/sample_options";
import { SafetensorsFile } from "../../../trainer/weights/safetensors";
import { GOLDEN_DIR, requireGoldenSet } from "../golden";

const modelDir = path.join(GOLDEN_DIR, "model");

await selectBackend();

const pipes = new Map<SchedulerName, Promise<StableDiffusionPipeline>>();
const pipeline = (scheduler: SchedulerName): Promise<StableDiffusionPipeline> => {
  if (!pipes.has(scheduler)) pipes.set(scheduler, StableDiffusionPipeline.fromPretrained(modelDir, { scheduler }));
  return pipes.get(scheduler)!;
};

test("golden sample cases: timesteps exact, image within tolerance", async () => {
  requireGoldenSet();
  const cases = (JSON.parse(fs.readFileSync(path.join(GOLDEN_DIR, "cases.json"), "utf8")) as { cases: GoldenCase[] }).cases.filter(
    (c) => c.kind === "sample",
  );
  assert.ok(cases.length >= 2, "expected the pndm and ddim sample cases");
  const file = SafetensorsFile.open(path.join(GOLDEN_DIR, "tensors.safetensors"));
  for (const c of cases) {
    const pipe = await pipeline(c.params.scheduler as SchedulerName);
    const latents = nchwToNhwc(file.read(c.inputs.latents as string));
    const out = await pipe.generate({
      prompt: c.inputs.prompt as string,
      negativePrompt: c.inputs.negative_prompt as string,
      numInferenceSteps: c.params.num_inference_steps as number,
      guidanceScale: c.params.guidance_scale as number,
      height: latents.shape[1] * 8,
      width: latents.shape[2] * 8,
      latents,
    });
    assert.deepEqual(out.timesteps, Array.from(await file.read(c.outputs.timesteps as string).data()), `${c.name}: timesteps`);
    const got = nhwcToNchw(out.image);
    const { worst, detail } = await allClose(got, file.read(c.outputs.image as string), c.atol, c.rtol);
    assert.ok(worst <= 1, `${c.name}: worst ${worst} (${detail})`);
    tf.dispose([got, out.image, latents]);
  }
  file.close();
});

test("seeded generation is deterministic, leaks no tensors, and its PNG holds the image", async () => {
  requireGoldenSet();
  const pipe = await pipeline("ddim");
  const opts = { prompt: "a red fox", numInferenceSteps: 3, seed: 7, height: 64, width: 48 };
  const before = tf.memory().numTensors;
  const a = await pipe.generate(opts);
  assert.equal(tf.memory().numTensors, before + 1, "only the returned image should remain");
  const b = await pipe.generate(opts);
  const c = await pipe.generate({ ...opts, seed: 8 });
  assert.deepEqual(a.image.shape, [1, 64, 48, 3]);
  assert.deepEqual(await a.image.data(), await b.image.data());
  assert.notDeepEqual(await a.image.data(), await c.image.data());
  const { data, info } = await sharp(a.png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [48, 64, 3]);
  const rounded = tf.tidy(() => tf.round(tf.mul(a.image, 255)));
  const want = await rounded.data();
  rounded.dispose();
  assert.deepEqual(Array.from(data), Array.from(want));
  tf.dispose([a.image, b.image, c.image]);
});

test("guidance_scale <= 1 runs without the unconditional batch; bad sizes are rejected", async () => {
  requireGoldenSet();
  const pipe = await pipeline("pndm");
  const out = await pipe.generate({ prompt: "x", numInferenceSteps: 2, guidanceScale: 1, seed: 1, height: 64, width: 64 });
  assert.deepEqual(out.image.shape, [1, 64, 64, 3]);
  out.image.dispose();
  await assert.rejects(pipe.generate({ prompt: "x", height: 60, width: 64 }), /height must be a positive multiple of 8/);
  const wrong = tf.zeros([1, 4, 4, 4]) as tf.Tensor4D;
  await assert.rejects(pipe.generate({ prompt: "x", latents: wrong, height: 64, width: 64 }), /latents have shape \[1,4,4,4\], expected \[1,8,8,4\]/);
  wrong.dispose();
});

test("sample CLI flags: defaults, both spellings, clear errors", () => {
  const base = ["--model", "m", "--prompt", "a cat", "--out", "x.png"];
  const opts = parseSampleArgs(base);
  assert.deepEqual([opts.steps, opts.guidanceScale, opts.seed, opts.height, opts.scheduler], [20, 7.5, 42, null, null]);
  const more = parseSampleArgs([...base, "--steps=30", "--guidance_scale", "5", "--height=512", "--width", "384", "--scheduler", "ddim", "--negative_prompt", "blurry"]);
  assert.deepEqual([more.steps, more.guidanceScale, more.height, more.width, more.scheduler, more.negativePrompt], [30, 5, 512, 384, "ddim", "blurry"]);
  assert.throws(() => parseSampleArgs(["--prompt", "x", "--out", "x.png"]), /the following arguments are required: --model/);
  assert.throws(() => parseSampleArgs([...base, "--steps", "2.5"]), /argument --steps: invalid int value: '2.5'/);
  assert.throws(() => parseSampleArgs([...base, "--width", "500"]), /argument --width: must be a multiple of 8/);
  assert.throws(() => parseSampleArgs([...base, "--scheduler", "euler"]), /argument --scheduler: invalid choice: 'euler'/);
  assert.throws(() => parseSampleArgs([...base, "--guidance_scale", "lots"]), /argument --guidance_scale: invalid float value: 'lots'/);
  assert.throws(() => parseSampleArgs([...base, "--sed", "1"]), /unrecognized arguments: --sed/);
  assert.throws(() => parseSampleArgs([...base, "--seed"]), /argument --seed: expected one argument/);
  assert.throws(() => parseSampleArgs(["--model", "m", "--prompt", "x", "--out", "x.jpg"]), /argument --out: must name a \.png file/);
});
