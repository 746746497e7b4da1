/**
 * Does the tiny demo learn? make-tiny, then the "Tiny demo (CPU)" preset's own
 * trainer flags; the mean squared error of the last validation epoch's images to
 * each prompt's target picture must be at most half that of epoch 0. An
 * end-to-end check of tokenizer -> text encoder -> UNet -> scheduler -> VAE
 * decode that the golden-parity cases, which compare one component at a time,
 * cannot give. `npm run bench:demo` runs this file alone for its figures (the
 * errors per prompt, make-tiny's and training's seconds).
 *
 * Not under test/trainer: it takes CPU minutes, so it runs once, on the default
 * backend, rather than again on WebGPU's software adapter.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { parseRunForm, PRESETS, trainerFlags } from "@/lib/server/launcher/run-form";
import { selectBackend } from "../../../../trainer/backend";
import type { TrainLogger } from "../../../../trainer/logger";
import { makeTiny } from "../../../../trainer/make_tiny";
import { parseOptions } from "../../../../trainer/options";
import { pictureFor, renderPixels } from "../../../../trainer/tiny/pictures";
import { train } from "../../../../trainer/train";

/** Issue 13's bar: the last epoch's error to the targets at most this fraction of epoch 0's. */
const MAX_RATIO = 0.5;

/** Mean squared error of a PNG to same-size RGB pixels, in [0, 1] units. */
async function mse(png: Buffer, target: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(data.length, target.length, `a ${info.width}x${info.height} validation image`);
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += ((data[i] - target[i]) / 255) ** 2;
  return sum / data.length;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Wall-clock and CPU seconds since `since`: on a busy machine the CPU time is what a quiet one would take. */
const timeSince = (since: { wall: number; cpu: NodeJS.CpuUsage }): string => {
  const cpu = process.cpuUsage(since.cpu);
  return `${((performance.now() - since.wall) / 1000).toFixed(0)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s)`;
};
const now = () => ({ wall: performance.now(), cpu: process.cpuUsage() });

test("the tiny demo preset turns noise into each validation prompt's picture", async (t) => {
  await selectBackend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-learns-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // The form takes model and dataset folders inside the server's data folder only: this one.
  const dataDir = process.env.INKSTONE_DATA_DIR;
  process.env.INKSTONE_DATA_DIR = tmp;
  t.after(() => (dataDir === undefined ? delete process.env.INKSTONE_DATA_DIR : (process.env.INKSTONE_DATA_DIR = dataDir)));

  let started = now();
  const { modelDir, datasetDir } = await makeTiny(path.join(tmp, "tiny"));
  const makeTinyTime = timeSince(started);
  const form = parseRunForm({
    ...PRESETS.tiny.values,
    project: "tiny",
    tags: "",
    pretrained_model_name_or_path: modelDir,
    dataset_name: datasetDir,
    output_dir: "learns",
  });
  const images = new Map<number, Map<string, Buffer>>();
  const logger: TrainLogger = {
    start: () => undefined,
    log: () => undefined,
    logImage: (_key, png, meta) => void (images.get(meta.epoch) ?? images.set(meta.epoch, new Map()).get(meta.epoch)!).set(meta.caption, png),
    logText: () => undefined,
    finish: () => undefined,
  };
  started = now();
  assert.equal(await train(parseOptions(trainerFlags(form)), logger), "finished");
  const trainingTime = timeSince(started);

  const epochs = [...images.keys()].sort((a, b) => a - b);
  assert.ok(epochs.length >= 2 && epochs[0] === 0, `validated at epochs ${epochs}`);
  const [first, last] = [epochs[0], epochs.at(-1)!];
  const errors = (epoch: number): Promise<number[]> =>
    Promise.all(
      form.validation_prompts.map(async (prompt, i) => {
        const png = images.get(epoch)?.get(`${i}: ${prompt}`);
        assert.ok(png, `epoch ${epoch} has an image for "${prompt}"`);
        return mse(png, await renderPixels(pictureFor(prompt), form.resolution, form.resolution));
      }),
    );
  const [before, after] = [await errors(first), await errors(last)];
  const ratio = mean(after) / mean(before);
  const lines = [
    ...form.validation_prompts.map((p, i) => `"${p}": MSE epoch ${first} ${before[i].toFixed(4)}, epoch ${last} ${after[i].toFixed(4)} (ratio ${(after[i] / before[i]).toFixed(3)})`),
    `mean MSE epoch ${first} ${mean(before).toFixed(4)}, epoch ${last} ${mean(after).toFixed(4)}: ratio ${ratio.toFixed(3)} (at most ${MAX_RATIO})`,
    `make-tiny ${makeTinyTime}, training ${trainingTime}`,
  ];
  for (const line of lines) t.diagnostic(line);
  assert.ok(ratio <= MAX_RATIO, `the last epoch's images are no closer to their targets: ${lines.join("; ")}`);
});
