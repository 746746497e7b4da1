import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../trainer/backend";
import { scalarOf } from "./read";
import { makeTiny } from "../../trainer/make_tiny";
import { TINY_DEMO_VERSION, TINY_DEMO_VERSION_FILE } from "../../trainer/tiny/version";
import { AutoencoderKL } from "../../trainer/models/autoencoder_kl";
import { CLIPTextModel } from "../../trainer/models/clip_text_model";
import { UNet2DConditionModel } from "../../trainer/models/unet_2d_condition";
import { StableDiffusionPipeline } from "../../trainer/pipeline/stable_diffusion";
import { savePipeline } from "../../trainer/save_pipeline";
import { readSafetensorsHeader } from "../../trainer/weights/safetensors";
import { readComponent } from "../../trainer/weights/diffusers_loader";

let source = "";

before(async () => {
  await selectBackend();
  source = (await makeTiny(fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-save-")), { numImages: 1, vaeSteps: 0 })).modelDir;
});

test("make-tiny stamps its output with its version, which the launcher checks", () => {
  assert.equal(fs.readFileSync(path.join(source, "..", TINY_DEMO_VERSION_FILE), "utf8").trim(), TINY_DEMO_VERSION);
});

/** Every file under a folder, relative, sorted. */
function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

async function loadTrained(dir: string): Promise<{ unet: UNet2DConditionModel; vae: AutoencoderKL; text_encoder: CLIPTextModel }> {
  return {
    unet: await UNet2DConditionModel.fromPretrained(dir),
    vae: await AutoencoderKL.fromPretrained(dir),
    text_encoder: await CLIPTextModel.fromPretrained(dir),
  };
}

const WEIGHTS: Record<string, string> = {
  unet: "diffusion_pytorch_model",
  vae: "diffusion_pytorch_model",
  text_encoder: "model",
};

test("the saved pipeline has the input's layout, file names, keys, shapes and configs, and loads back", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-saved-"));
  const models = await loadTrained(source);
  // Change the UNet so the test sees that the saved weights are the module's, not a copy of the input.
  const convIn = models.unet.conv_in.weight.value;
  convIn.assign(tf.add(convIn, 0.25));
  await savePipeline(out, source, models, { nameOrPath: "tiny" });

  assert.deepEqual(files(out), files(source));
  const index = JSON.parse(fs.readFileSync(path.join(out, "model_index.json"), "utf8"));
  const sourceIndex = JSON.parse(fs.readFileSync(path.join(source, "model_index.json"), "utf8"));
  assert.deepEqual({ ...index, _name_or_path: undefined }, { ...sourceIndex, _name_or_path: undefined });

  for (const [component, base] of Object.entries(WEIGHTS)) {
    const saved = await readSafetensorsHeader(path.join(out, component, `${base}.safetensors`));
    const input = await readSafetensorsHeader(path.join(source, component, `${base}.safetensors`));
    assert.deepEqual([...saved.tensors.keys()], [...input.tensors.keys()], component);
    for (const [key, info] of input.tensors) {
      assert.deepEqual(saved.tensors.get(key)!.shape, info.shape, key);
      assert.equal(saved.tensors.get(key)!.dtype, "F32", key);
    }
    assert.deepEqual(saved.metadata, { format: "pt" });
    const config = JSON.parse(fs.readFileSync(path.join(out, component, "config.json"), "utf8"));
    const sourceConfig = JSON.parse(fs.readFileSync(path.join(source, component, "config.json"), "utf8"));
    assert.deepEqual({ ...config, _name_or_path: undefined }, { ...sourceConfig, _name_or_path: undefined }, component);
    if (component !== "text_encoder") {
      assert.equal(config._class_name, sourceIndex[component][1]);
      assert.equal(config._diffusers_version, "0.29.0");
    }
  }
  for (const f of ["tokenizer/vocab.json", "tokenizer/merges.txt"]) {
    assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(source, f))), f);
  }

  // Loaded back, every weight equals the module's that was saved.
  for (const component of Object.keys(WEIGHTS) as Array<keyof typeof models>) {
    const { weights } = await readComponent(out, component);
    const expected = models[component].stateDict();
    let worst = 0;
    for (const [key, want] of expected) worst = Math.max(worst, await scalarOf(() => tf.max(tf.abs(tf.sub(weights.get(key)!, want)))));
    tf.dispose([...weights.values(), ...expected.values()]);
    assert.equal(worst, 0, component);
  }

  // And the trainer's pipeline loader runs it.
  const pipeline = await StableDiffusionPipeline.fromPretrained(out);
  const { image, png } = await pipeline.generate({ prompt: "a red circle", numInferenceSteps: 2, seed: 1 });
  assert.deepEqual(image.shape, [1, 32, 32, 3], "the tiny pipeline's default size: 8x8 latents, a VAE that scales by 4");
  assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  image.dispose();
  pipeline.dispose();
});

test("the fp16 variant is written as *.fp16.safetensors in half precision and loads with that variant", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-saved16-"));
  const models = await loadTrained(source);
  await savePipeline(out, source, models, { variant: "fp16" });
  for (const [component, base] of Object.entries(WEIGHTS)) {
    const header = await readSafetensorsHeader(path.join(out, component, `${base}.fp16.safetensors`));
    assert.ok([...header.tensors.values()].every((info) => info.dtype === "F16"), component);
    assert.equal(fs.existsSync(path.join(out, component, `${base}.safetensors`)), false);
  }
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, "text_encoder", "config.json"), "utf8")).torch_dtype, "float16");
  const unet16 = await UNet2DConditionModel.fromPretrained(out, { variant: "fp16" });
  const a = models.unet.conv_in.weight.value;
  const b = unet16.conv_in.weight.value;
  const err = await scalarOf(() => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.add(tf.abs(a), 1e-3))));
  assert.ok(err < 1e-3, `fp16 round trip relative error ${err}`);
});

test("make-tiny without tokenizer files fails with a message naming --tokenizer_from", async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-notok-"));
  await assert.rejects(makeTiny(path.join(empty, "out"), { tokenizerFrom: empty, vaeSteps: 0 }), /vocab\.json.*not found in .*--tokenizer_from DIR/s);
});
