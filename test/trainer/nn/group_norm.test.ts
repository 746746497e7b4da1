import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { hasFusedGroupNorm } from "../../../trainer/kernels/group_norm";
import { GroupNorm } from "../../../trainer/nn/group_norm";
import { LayerNorm } from "../../../trainer/nn/layer_norm";

await selectBackend("wasm");

/** Channels-last shapes with several groups, batch > 1, and the [N, L, C] layout of the attention norms. */
const CASES = [
  { shape: [2, 5, 4, 12], groups: 3 },
  { shape: [3, 7, 16], groups: 4 },
  { shape: [2, 3, 3, 8], groups: 8 },
  { shape: [2, 6, 6], groups: 1 },
];

/** Either norm: both have a fused and a tf-ops forward, and a per-channel weight and bias. */
type Norm = GroupNorm | LayerNorm;

/** Uniform values in [offset - 1, offset + 1), from a seed. */
const uniform = (shape: number[], seed: number, offset = 0): tf.Tensor => tf.randomUniform(shape, offset - 1, offset + 1, "float32", seed);

/** Output and gradients of sum(norm(x) * probe) w.r.t. x, gamma and beta, as arrays. */
function run(norm: Norm, forward: (x: tf.Tensor) => tf.Tensor, x: tf.Variable, probe: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const y = forward(x);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(x), probe)) as tf.Scalar, [x, norm.weight.value, norm.bias.value]);
    return [y, grads[x.name]!, grads[norm.weight.value.name]!, grads[norm.bias.value.name]!].map((t) => t.dataSync() as Float32Array);
  });
}

function assertClose(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `${what}[${i}]: fused ${got[i]} tf ops ${want[i]}`);
  }
}

/** Fused and tf-ops forward, dx, dgamma and dbeta of the norms agree, and no tensor is left behind. */
async function assertFusedMatchesOps(backend: string, cases: Array<{ shape: number[]; make: () => Norm; what: string }>): Promise<void> {
  await tf.setBackend(backend);
  assert.ok(hasFusedGroupNorm());
  const before = tf.memory().numTensors;
  for (const [k, { shape, make, what }] of cases.entries()) {
    const norm = make();
    tf.tidy(() => {
      norm.weight.value.assign(uniform(norm.weight.value.shape, 10 + k, 1));
      norm.bias.value.assign(uniform(norm.bias.value.shape, 20 + k));
    });
    // An offset mean, so that a variance that cancels badly would show.
    const x = tf.tidy(() => tf.variable(uniform(shape, 30 + k, 3)));
    const probe = uniform(shape, 40 + k);
    const fused = run(norm, (t) => norm.forward(t), x, probe);
    const ops = run(norm, (t) => norm.forwardOps(t), x, probe);
    ["y", "dx", "dgamma", "dbeta"].forEach((grad, i) => assertClose(fused[i]!, ops[i]!, `${what} ${shape}: ${grad}`));
    tf.dispose([x, probe, norm.weight.value, norm.bias.value]);
  }
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
}

for (const backend of ["wasm", "cpu"]) {
  test(`fused GroupNorm matches the tf-ops one, forward and gradients, on ${backend}`, () =>
    assertFusedMatchesOps(
      backend,
      CASES.map(({ shape, groups }) => ({ shape, make: () => new GroupNorm(groups, shape.at(-1)!, 1e-5), what: `GroupNorm(${groups} groups)` })),
    ));

  test(`LayerNorm on the fused GroupNorm kernel matches the tf-ops one on ${backend}`, () =>
    assertFusedMatchesOps(
      backend,
      [[2, 7, 16], [3, 5]].map((shape) => ({ shape, make: () => new LayerNorm(shape.at(-1)!, 1e-5), what: "LayerNorm" })),
    ));
}
