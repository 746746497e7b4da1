import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { silu, siluOps } from "../../../trainer/nn/activations";
import { multiHeadAttention, multiHeadAttentionOps } from "../../../trainer/nn/attention";
import { GEGLU } from "../../../trainer/nn/feed_forward";
import { GroupNorm } from "../../../trainer/nn/group_norm";
import { LayerNorm } from "../../../trainer/nn/layer_norm";

// The fused WGSL kernels against the tf ops they replace, on WebGPU (lavapipe without a GPU).
await selectBackend("webgpu");

/** Uniform values in [offset - 1, offset + 1), from a seed. */
const uniform = (shape: number[], seed: number, offset = 0): tf.Tensor => tf.randomUniform(shape, offset - 1, offset + 1, "float32", seed);

/** An op of some variables, fused and as tf ops. */
interface Pair {
  what: string;
  variables: tf.Variable[];
  fused: () => tf.Tensor;
  ops: () => tf.Tensor;
}

/** y and the gradients of sum(y * probe) w.r.t. every variable. */
async function outputAndGrads(f: () => tf.Tensor, variables: tf.Variable[], probeSeed: number): Promise<Float32Array[]> {
  const tensors = tf.tidy(() => {
    const y = f();
    const probe = uniform(y.shape, probeSeed);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(), probe)) as tf.Scalar, variables);
    return [y, ...variables.map((v) => grads[v.name]!)];
  });
  const arrays = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return arrays;
}

/** Fused and tf-ops outputs and gradients agree to 1e-4 of their largest magnitude (float32 sums in another order), and nothing leaks. */
async function assertPairsAgree(pairs: Pair[]): Promise<void> {
  for (const [k, { what, variables, fused, ops }] of pairs.entries()) {
    const before = tf.memory().numTensors;
    const got = await outputAndGrads(fused, variables, 100 + k);
    const want = await outputAndGrads(ops, variables, 100 + k);
    assert.equal(tf.memory().numTensors, before, `${what}: tensors leaked`);
    got.forEach((g, i) => {
      const name = i === 0 ? "y" : `d ${variables[i - 1]!.name}`;
      assert.equal(g.length, want[i]!.length, `${what} ${name}: length`);
      const scale = Math.max(...want[i]!.map(Math.abs), 1e-6);
      for (let j = 0; j < g.length; j++) {
        assert.ok(Math.abs(g[j]! - want[i]![j]!) <= 1e-4 * scale, `${what} ${name}[${j}]: fused ${g[j]} tf ops ${want[i]![j]} (largest ${scale})`);
      }
    });
    tf.dispose(variables);
  }
}

/** A variable of uniform values in [offset - 1, offset + 1). */
const variable = (shape: number[], seed: number, offset = 0): tf.Variable => tf.tidy(() => tf.variable(uniform(shape, seed, offset)));

/** A norm with random weight and bias on an x whose mean is offset (a variance that cancels badly would show). */
function normPair(what: string, norm: GroupNorm | LayerNorm, shape: number[], seed: number, activation?: "silu"): Pair {
  tf.tidy(() => {
    norm.weight.value.assign(uniform(norm.weight.value.shape, seed + 1, 1));
    norm.bias.value.assign(uniform(norm.bias.value.shape, seed + 2));
  });
  const x = variable(shape, seed, 3);
  const ops = () => (activation ? siluOps(norm.forwardOps(x)) : norm.forwardOps(x));
  const fused = () => (norm instanceof GroupNorm ? norm.forward(x, activation) : norm.forward(x));
  return { what: `${what} ${shape}${activation ? " + silu" : ""}`, variables: [x, norm.weight.value, norm.bias.value], fused, ops };
}

test("GroupNorm (+ SiLU) in WGSL matches tf ops, forward and gradients: batches, odd channel counts, 1-channel groups, long blocks", async () => {
  const cases: Array<[number[], number]> = [
    [[2, 5, 4, 12], 3],
    [[1, 3, 7, 10], 5],
    [[2, 4, 4, 6], 6],
    [[1, 6, 5, 40], 4],
    [[2, 7, 16], 4],
    [[1, 20, 20, 8], 2],
  ];
  const pairs = cases.flatMap(([shape, groups], i) =>
    [undefined, "silu" as const].map((activation, j) => normPair(`GroupNorm(${groups})`, new GroupNorm(groups, shape.at(-1)!, 1e-5), shape, 10 * i + 3 * j, activation)),
  );
  await assertPairsAgree(pairs);
});

test("LayerNorm in WGSL matches tf ops, forward and gradients, rows wider than a workgroup included", async () => {
  const shapes = [[2, 7, 16], [3, 5], [1, 3, 300]];
  await assertPairsAgree(shapes.map((shape, i) => normPair("LayerNorm", new LayerNorm(shape.at(-1)!, 1e-5), shape, 50 + 3 * i)));
});

test("SiLU and GEGLU in WGSL match tf ops, forward and gradients, odd widths included", async () => {
  const x = variable([3, 7, 5], 70, 0);
  const scaled = () => tf.mul(x, 4);
  const geglus: Array<[number[], number]> = [
    [[2, 3, 5], 7],
    [[1, 4, 8], 16],
  ];
  const geluPairs = geglus.map(([shape, dimOut], i): Pair => {
    const geglu = new GEGLU(shape.at(-1)!, dimOut);
    tf.tidy(() => {
      geglu.proj.weight.value.assign(uniform(geglu.proj.weight.value.shape, 80 + i));
      geglu.proj.bias!.value.assign(uniform([2 * dimOut], 90 + i));
    });
    const input = variable(shape, 95 + i, 0);
    return {
      what: `GEGLU ${shape} -> ${dimOut}`,
      variables: [input, geglu.proj.weight.value, geglu.proj.bias!.value],
      fused: () => geglu.forward(input),
      ops: () => geglu.gate(geglu.proj.forward(input)),
    };
  });
  await assertPairsAgree([{ what: "SiLU", variables: [x], fused: () => silu(scaled()), ops: () => siluOps(scaled()) }, ...geluPairs]);
});

test("flash-style attention in WGSL matches tf ops, forward and gradients: self and cross, batch 2, odd lengths, SD1.5's widest head", async () => {
  // [N, Lq, Lk, heads, d]
  const shapes = [
    [2, 12, 5, 4, 4],
    [1, 9, 9, 3, 8],
    [2, 7, 77, 2, 40],
    [1, 6, 6, 2, 160],
    [1, 300, 300, 1, 3],
  ];
  const pairs = shapes.map(([n, lq, lk, heads, d], i): Pair => {
    const [q, k, v] = [[lq, 1], [lk, 2], [lk, 3]].map(([l, s]) => variable([n!, l!, heads! * d!], 200 + 10 * i + s!, 0) as tf.Variable & tf.Tensor3D);
    // Larger scores than unit normals give, so that the softmax is far from uniform.
    const sharpen = (t: tf.Tensor) => tf.mul(t, 3) as tf.Tensor3D;
    return {
      what: `attention N=${n} Lq=${lq} Lk=${lk} heads=${heads} d=${d}`,
      variables: [q!, k!, v!],
      fused: () => multiHeadAttention(sharpen(q!), k!, v!, heads!),
      ops: () => multiHeadAttentionOps(sharpen(q!), k!, v!, heads!),
    };
  });
  await assertPairsAgree(pairs);
});

test("Sum over the leading axes in WGSL matches the built-in reduction, with and without keepDims", async () => {
  const shapes = [[2, 5, 7, 40], [3, 33], [1, 1, 1, 5], [300, 70]];
  for (const [i, shape] of shapes.entries()) {
    const x = uniform(shape, 300 + i);
    const leading = shape.slice(0, -1).map((_, a) => a);
    // The same sum with the reduced axes last goes to tfjs's own kernel.
    const lastFirst = [shape.length - 1, ...leading];
    const reference = tf.tidy(() => tf.sum(tf.transpose(x, lastFirst), leading.map((a) => a + 1)));
    const want = await reference.data();
    reference.dispose();
    for (const keepDims of [false, true]) {
      const y = tf.sum(x, leading, keepDims);
      assert.deepEqual(y.shape, keepDims ? [...leading.map(() => 1), shape.at(-1)!] : [shape.at(-1)!]);
      const got = await y.data();
      got.forEach((g, j) => assert.ok(Math.abs(g - want[j]!) <= 1e-5 * (1 + Math.abs(want[j]!)), `sum of [${shape}] [${j}]: ${g} vs ${want[j]}`));
      y.dispose();
    }
    x.dispose();
  }
});
