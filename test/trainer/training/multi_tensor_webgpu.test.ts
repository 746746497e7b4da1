import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { fillRandomNormal } from "../../../trainer/training/multi_tensor_webgpu";
import { WebGpuEncoder } from "../../../trainer/training/webgpu_encoder";

await selectBackend();

test("fillRandomNormal draws N(mean, std) per tensor, a different stream per seed", async (ctx) => {
  const encoder = WebGpuEncoder.active();
  if (!encoder) return ctx.skip("not on webgpu");
  const specs = [
    { shape: [300, 1000], mean: 1, std: 0.1, seed: 1 },
    { shape: [20000], mean: 0, std: 2, seed: 2 },
    { shape: [20000], mean: 0, std: 2, seed: 3 },
  ];
  // More tensors than one dispatch binds.
  const fills = [...specs, ...specs, ...specs].map((s) => ({ ...s, target: encoder.empty(s.shape) }));
  fillRandomNormal(encoder, fills);
  for (const [k, f] of fills.entries()) {
    const v = Array.from(await f.target.data());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    // Sampling error of the mean is std / sqrt(n): 5 of them is far outside chance.
    assert.ok(Math.abs(mean - f.mean) < (5 * f.std) / Math.sqrt(v.length), `tensor ${k}: mean ${mean}`);
    assert.ok(Math.abs(std / f.std - 1) < 0.02, `tensor ${k}: std ${std}`);
    assert.ok(v.every(Number.isFinite), `tensor ${k}: finite`);
  }
  const [a, b, again] = await Promise.all([fills[1]!, fills[2]!, fills[4]!].map((f) => f.target.data()));
  assert.notDeepEqual(a!.slice(0, 10), b!.slice(0, 10), "seeds 2 and 3 differ");
  assert.deepEqual(a, again, "the same seed draws the same values");
  tf.dispose(fills.map((f) => f.target));
});
