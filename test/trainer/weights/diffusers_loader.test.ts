import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { readComponent, readComponentConfig, readModelIndex } from "../../../trainer/weights/diffusers_loader";
import { writeSafetensors } from "../../../trainer/weights/safetensors";

await selectBackend();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-pipeline-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}

/** A fake pipeline: unet with fp32 and fp16-variant files, a text encoder sharded behind an index, a scheduler. */
async function makePipeline(): Promise<string> {
  const dir = path.join(tmp, "pipe");
  writeJson(path.join(dir, "model_index.json"), { _class_name: "StableDiffusionPipeline", unet: ["diffusers", "UNet2DConditionModel"] });
  writeJson(path.join(dir, "unet/config.json"), { in_channels: 4 });
  writeJson(path.join(dir, "scheduler/scheduler_config.json"), { num_train_timesteps: 1000 });
  await writeSafetensors(path.join(dir, "unet/diffusion_pytorch_model.safetensors"), new Map([["conv_in.weight", tf.fill([2, 2], 0.1)]]));
  await writeSafetensors(path.join(dir, "unet/diffusion_pytorch_model.fp16.safetensors"), new Map([["conv_in.weight", tf.fill([2, 2], 0.1)]]), {
    dtype: "F16",
  });
  writeJson(path.join(dir, "text_encoder/config.json"), { hidden_size: 8 });
  await writeSafetensors(path.join(dir, "text_encoder/model-00001-of-00002.safetensors"), new Map([["a", tf.ones([2])]]));
  await writeSafetensors(path.join(dir, "text_encoder/model-00002-of-00002.safetensors"), new Map([["b", tf.zeros([3])]]));
  writeJson(path.join(dir, "text_encoder/model.safetensors.index.json"), {
    metadata: {},
    weight_map: { a: "model-00001-of-00002.safetensors", b: "model-00002-of-00002.safetensors" },
  });
  return dir;
}

const pipeline = await makePipeline();

test("model_index.json and component configs are read", async () => {
  assert.equal((await readModelIndex(pipeline))._class_name, "StableDiffusionPipeline");
  assert.equal((await readComponentConfig(pipeline, "scheduler")).num_train_timesteps, 1000);
});

test("the fp16 variant is read and upcast to float32", async () => {
  const full = await readComponent(pipeline, "unet");
  const half = await readComponent(pipeline, "unet", { variant: "fp16" });
  assert.equal(full.config.in_channels, 4);
  const w32 = full.weights.get("conv_in.weight")!;
  const w16 = half.weights.get("conv_in.weight")!;
  assert.equal(w16.dtype, "float32");
  assert.equal((await w32.data())[0], Math.fround(0.1));
  // 0.1 in half precision is 0.0999755859375.
  assert.equal((await w16.data())[0], 0.0999755859375);
});

test("sharded weights are merged through the index", async () => {
  const { config, weights } = await readComponent(pipeline, "text_encoder");
  assert.equal(config.hidden_size, 8);
  assert.deepEqual([...weights.keys()].sort(), ["a", "b"]);
  assert.deepEqual(weights.get("b")!.shape, [3]);
});

test("missing files are named in the error", async () => {
  await assert.rejects(readComponent(pipeline, "text_encoder", { variant: "fp16" }), /missing weights in .*text_encoder: none of diffusion_pytorch_model\.fp16\.safetensors, .*model\.fp16\.safetensors/);
  await assert.rejects(readComponent(pipeline, "vae"), /missing file .*vae\/config\.json/);
  await assert.rejects(readComponent(pipeline, "unet", { variant: "bf16" }), /unet: none of .* exists \(weights without the variant exist/);
  fs.mkdirSync(path.join(pipeline, "broken"));
  writeJson(path.join(pipeline, "broken/config.json"), {});
  writeJson(path.join(pipeline, "broken/model.safetensors.index.json"), { weight_map: { a: "model-00001-of-00002.safetensors" } });
  await assert.rejects(readComponent(pipeline, "broken"), /missing file .*broken\/model-00001-of-00002\.safetensors \(a shard listed in/);
});
