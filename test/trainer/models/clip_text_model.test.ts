import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { scalarOf } from "../read";
import { run as runTextEncoderCase } from "../../../trainer/conformance/kinds/text_encoder";
import { CLIPTextModel } from "../../../trainer/models/clip_text_model";
import { readSafetensorsHeader } from "../../../trainer/weights/safetensors";
import { GOLDEN_DIR, loadGolden, runGoldenCase } from "../golden";

await selectBackend();

test("text encoder matches transformers' CLIPTextModel on the golden case", async () => {
  const result = await runGoldenCase("text_encoder", runTextEncoderCase);
  assert.ok(result.worst <= 1, `worst error ratio ${result.worst} (${result.detail})`);
});

test("parameter names are exactly the checkpoint's keys, less the position_ids buffer", async () => {
  const golden = await loadGolden();
  const header = await readSafetensorsHeader(path.join(GOLDEN_DIR, "model/text_encoder/model.safetensors"));
  const model = CLIPTextModel.fromConfig({ hidden_size: 32, intermediate_size: 128, num_attention_heads: 4, num_hidden_layers: 3 });
  const keys = model.namedParameters().map(([k]) => k);
  assert.deepEqual(keys.sort(), [...header.tensors.keys()].filter((k) => k !== "text_model.embeddings.position_ids").sort());
  dispose(model);
});

/** An SD2-style text encoder: exact gelu, more layers, its own widths. */
const SD2_LIKE = {
  hidden_act: "gelu",
  hidden_size: 24,
  intermediate_size: 40,
  num_attention_heads: 3,
  num_hidden_layers: 5,
  max_position_embeddings: 16,
  vocab_size: 50,
  layer_norm_eps: 1e-5,
};

function randomized(config: Record<string, unknown>, seed: number): CLIPTextModel {
  const model = CLIPTextModel.fromConfig(config);
  const weights = new Map(model.namedParameters().map(([k, p], i) => [k, tf.randomNormal(p.torchShape, 0, 0.5, "float32", seed + i)]));
  model.loadStateDict(weights);
  weights.forEach((w) => w.dispose());
  return model;
}

function dispose(model: CLIPTextModel): void {
  model.parameters().forEach((p) => p.value.dispose());
}

test("attention is causal: a token never sees the ones after it", async () => {
  const model = randomized(SD2_LIKE, 1);
  const a = tf.tensor2d([[1, 7, 3, 9, 4, 2]], [1, 6], "int32");
  const b = tf.tensor2d([[1, 7, 3, 11, 5, 6]], [1, 6], "int32");
  const [ya, yb] = [model.forward(a), model.forward(b)];
  assert.deepEqual(ya.shape, [1, 6, 24]);
  const before = await scalarOf(() => tf.max(tf.abs(tf.sub(ya.slice([0, 0, 0], [1, 3, 24]), yb.slice([0, 0, 0], [1, 3, 24])))));
  const after = await scalarOf(() => tf.max(tf.abs(tf.sub(ya.slice([0, 3, 0], [1, 3, 24]), yb.slice([0, 3, 0], [1, 3, 24])))));
  assert.equal(before, 0);
  assert.ok(after > 1e-3, `positions from the change on must differ (max diff ${after})`);
  tf.dispose([a, b, ya, yb]);
  dispose(model);
});

test("hidden_act selects the activation, and unsupported ones are refused", async () => {
  const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
  const gelu = randomized(SD2_LIKE, 7);
  const quick = randomized({ ...SD2_LIKE, hidden_act: "quick_gelu" }, 7);
  const diff = await scalarOf(() => tf.max(tf.abs(tf.sub(gelu.forward(ids), quick.forward(ids)))));
  assert.ok(diff > 1e-4, `gelu and quick_gelu gave the same output (max diff ${diff})`);
  assert.throws(() => CLIPTextModel.fromConfig({ hidden_act: "relu6" }), /unsupported hidden_act relu6/);
  tf.dispose(ids);
  dispose(gelu);
  dispose(quick);
});

test("forward leaves no tensors behind and rejects over-long inputs", () => {
  const model = randomized(SD2_LIKE, 3);
  const ids = tf.zeros([2, 16], "int32") as tf.Tensor2D;
  const before = tf.memory().numTensors;
  model.forward(ids).dispose();
  assert.equal(tf.memory().numTensors, before);
  const tooLong = tf.zeros([1, 17], "int32") as tf.Tensor2D;
  assert.throws(() => model.forward(tooLong), /exceeds max_position_embeddings 16/);
  tf.dispose([ids, tooLong]);
  dispose(model);
});
