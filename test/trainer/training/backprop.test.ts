import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { valueAndGradients } from "../../../trainer/training/backprop";
import { scalarOf } from "../read";

await selectBackend();

/**
 * A deep chain with the cases the tape walk must get right: a skip connection read twice, an op
 * whose gradient passes dy through (reshape), a multi-output op (split), and a parameter used twice.
 */
function chain(x: tf.Tensor2D, weights: tf.Tensor2D[], shared: tf.Tensor2D): tf.Tensor {
  let h: tf.Tensor2D = x;
  // Each layer in its own tidy, as the model's modules are: what no gradient saved is freed at once.
  for (const w of weights) {
    h = tf.tidy(() => {
      const z = tf.tanh(tf.matMul(h, w));
      const [a, b] = tf.split(z, 2, 1);
      return tf.matMul(tf.add(tf.reshape(tf.concat([tf.mul(a, b), a], 1), z.shape), h), shared);
    });
  }
  return tf.mean(tf.square(h));
}

function problem() {
  const width = 64;
  const x = tf.randomNormal([256, width], 0, 1, "float32", 1) as tf.Tensor2D;
  const weights = Array.from({ length: 12 }, (_, k) => tf.randomNormal([width, width], 0, 1 / Math.sqrt(width), "float32", 10 + k) as tf.Tensor2D);
  const shared = tf.randomNormal([width, width], 0, 1 / Math.sqrt(width), "float32", 99) as tf.Tensor2D;
  return { x, weights, shared, xs: [x, ...weights, shared], f: () => chain(x, weights, shared) };
}

test("gradients equal tfjs's own engine.gradients, with and without a weighting dy", async () => {
  const { xs, f } = problem();
  for (const dy of [undefined, tf.scalar(2.5)]) {
    const want = tf.engine().gradients(f, xs, dy, true);
    const got = valueAndGradients(f, xs, dy);
    assert.equal(await scalarOf(() => tf.sub(got.value, want.value)), 0);
    for (const [k, g] of got.grads.entries()) {
      const err = await scalarOf(() => tf.max(tf.abs(tf.sub(g!, want.grads[k]!))));
      assert.ok(err <= 1e-6, `gradient ${k}: max |difference| ${err}`);
    }
    if (dy) assert.ok(!dy.isDisposed, "the caller's dy is the caller's to dispose");
    tf.dispose([want.value, ...want.grads, got.value, ...(got.grads as tf.Tensor[]), dy]);
  }
  tf.dispose(xs);
});

test("leaves nothing behind but the value and the gradients", () => {
  const { xs, f } = problem();
  const before = tf.memory().numTensors;
  const { value, grads } = valueAndGradients(f, xs);
  assert.equal(tf.memory().numTensors, before + 1 + grads.length);
  tf.dispose([value, ...(grads as tf.Tensor[])]);
  assert.equal(tf.engine().state.activeTape, null, "the tape is dropped");
  tf.dispose(xs);
});

test("frees saved activations and used gradients during the backward pass: a lower peak than engine.gradients", async () => {
  const { xs, f } = problem();
  // Bytes above those held before the call.
  const peakOf = async (run: () => { value: tf.Tensor; grads: Array<tf.Tensor | undefined> }): Promise<number> => {
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => {
      const { value, grads } = run();
      tf.dispose([value, ...(grads as tf.Tensor[])]);
    });
    return info.peakBytes - before;
  };
  const theirs = await peakOf(() => tf.engine().gradients(f, xs, undefined, true));
  const ours = await peakOf(() => valueAndGradients(f, xs));
  tf.dispose(xs);
  // 12 layers of [256, 64] activations: tfjs holds every one and every intermediate gradient at the end.
  assert.ok(ours < 0.75 * theirs, `peak ${ours} bytes here, ${theirs} with engine.gradients`);
});
