/**
 * `npm run bench:demo`: does the tiny demo learn? make-tiny, then the "Tiny
 * demo (CPU)" preset's own trainer flags; prints the mean squared error of each
 * validation epoch's images to each prompt's target picture, and the ratio of
 * the last epoch's to epoch 0's. Issue 13's bar is a ratio of at most 0.5; the
 * command exits 1 above it. An end-to-end check of tokenizer -> text encoder ->
 * UNet -> scheduler -> VAE decode that the golden-parity cases, which compare
 * one component at a time, cannot give. It is a bench, not a test, until the
 * demo meets the bar: it takes minutes of CPU.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { parseRunForm, PRESETS, trainerFlags } from "@/lib/server/launcher/run-form";
import { selectBackend } from "../trainer/backend";
import type { TrainLogger } from "../trainer/logger";
import { makeTiny } from "../trainer/make_tiny";
import { parseOptions } from "../trainer/options";
import { pictureFor, renderPixels } from "../trainer/tiny/pictures";
import { train } from "../trainer/train";

/** Mean squared error of two same-size RGB images, in [0, 1] units. */
async function mse(png: Buffer, target: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(data.length, target.length, `a ${info.width}x${info.height} validation image`);
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += ((data[i] - target[i]) / 255) ** 2;
  return sum / data.length;
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  await selectBackend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-learns-"));
  // The form takes model and dataset folders inside the server's data folder only: this one.
  process.env.INKSTONE_DATA_DIR = tmp;
  const { modelDir, datasetDir } = await makeTiny(path.join(tmp, "tiny"));
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
  assert.equal(await train(parseOptions(trainerFlags(form)), logger), "finished");

  const epochs = [...images.keys()].sort((a, b) => a - b);
  assert.ok(epochs.length >= 2 && epochs[0] === 0, `validated at epochs ${epochs}`);
  const errors = async (epoch: number): Promise<number[]> =>
    Promise.all(
      form.validation_prompts.map(async (prompt, i) => {
        const png = images.get(epoch)!.get(`${i}: ${prompt}`);
        assert.ok(png, `epoch ${epoch} has an image for "${prompt}"`);
        return mse(png, await renderPixels(pictureFor(prompt), 64, 64));
      }),
    );
  const first = await errors(epochs[0]);
  const last = await errors(epochs.at(-1)!);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`validation MSE to the targets: epoch ${epochs[0]} ${first.map((e) => e.toFixed(4)).join(" ")}; epoch ${epochs.at(-1)} ${last.map((e) => e.toFixed(4)).join(" ")}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const ratio = mean(last) / mean(first);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`tiny demo: mean MSE epoch ${epochs[0]} ${mean(first).toFixed(4)}, epoch ${epochs.at(-1)} ${mean(last).toFixed(4)}, ratio ${ratio.toFixed(3)} (bar: at most 0.5); make-tiny + training ${seconds.toFixed(0)} s`);
  if (ratio > 0.5) process.exitCode = 1;
}

await main();
