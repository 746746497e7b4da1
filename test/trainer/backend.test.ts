import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { backendCandidates, selectBackend } from "../../trainer/backend";

/** Gradients of sum(conv(x, w) * probe) w.r.t. x and w, on the named backend. */
function convGrads(backend: string, x: tf.Tensor4D, w: tf.Tensor4D, probe: tf.Tensor4D, stride: number, pad: Parameters<typeof tf.conv2d>[3]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), probe)));
    return grads([x, w]).map((g) => g.dataSync() as Float32Array);
  });
}

function maxRelativeError(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-4 + Math.abs(want[i]!)));
  return worst;
}

/** Worst absolute error relative to the largest expected magnitude (for long float32 sums, whose rounding scales with it). */
function maxScaledError(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return worst / scale;
}

const geometries: Array<{ name: string; size: number; k: number; stride: number; pad: Parameters<typeof tf.conv2d>[3] }> = [
  { name: "3x3 same", size: 8, k: 3, stride: 1, pad: "same" },
  { name: "1x1 valid", size: 5, k: 1, stride: 1, pad: "valid" },
  { name: "3x3 stride 2 explicit pad 1 (UNet downsample)", size: 8, k: 3, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { name: "3x3 stride 2 valid, odd size", size: 7, k: 3, stride: 2, pad: "valid" },
  { name: "3x3 stride 2 same, odd size", size: 9, k: 3, stride: 2, pad: "same" },
  { name: "3x3 stride 2 explicit asymmetric pad (VAE downsample)", size: 8, k: 3, stride: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]] },
];

test("wasm conv2d gradients match the cpu backend", async (t) => {
  if ((await selectBackend()) !== "wasm") return t.skip("wasm backend not selected");
  for (const g of geometries) {
    const x = tf.randomNormal([2, g.size, g.size, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal([g.k, g.k, 3, 5], 0, 1, "float32", 2) as tf.Tensor4D;
    const outShape = tf.conv2d(x, w, g.stride, g.pad).shape;
    const probe = tf.randomNormal(outShape, 0, 1, "float32", 3) as tf.Tensor4D;
    const [dxWant, dwWant] = convGrads("cpu", x, w, probe, g.stride, g.pad);
    const [dxGot, dwGot] = convGrads("wasm", x, w, probe, g.stride, g.pad);
    assert.ok(maxRelativeError(dxGot!, dxWant!) < 1e-3, `${g.name}: dx differs`);
    assert.ok(maxRelativeError(dwGot!, dwWant!) < 1e-3, `${g.name}: dw differs`);
    tf.dispose([x, w, probe]);
  }
});

test("wasm gather gradient (UnsortedSegmentSum) matches the cpu backend", async (t) => {
  if ((await selectBackend()) !== "wasm") return t.skip("wasm backend not selected");
  const table = tf.randomNormal([6, 4], 0, 1, "float32", 4);
  const ids = tf.tensor2d([[0, 3, 3], [5, 0, 1]], [2, 3], "int32");
  const probe = tf.randomNormal([2, 3, 4], 0, 1, "float32", 5);
  const grad = (backend: string): Float32Array => {
    tf.setBackend(backend);
    return tf.tidy(() => tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, ids), probe)))(table).dataSync() as Float32Array);
  };
  const want = grad("cpu");
  assert.ok(maxRelativeError(grad("wasm"), want) < 1e-5);
});

/** Runs f on the cpu backend and on wasm, returning both results' values. */
function onBoth(f: () => tf.Tensor | tf.Tensor[]): Array<[Float32Array, Float32Array]> {
  const run = (backend: string): Float32Array[] => {
    tf.setBackend(backend);
    return tf.tidy(() => [f()].flat().map((t) => t.dataSync() as Float32Array));
  };
  const want = run("cpu");
  const got = run("wasm");
  assert.equal(got.length, want.length);
  return got.map((g, i) => [g, want[i]!]);
}

test("wasm BatchMatMul (transposed, batched, broadcast) matches the cpu backend", async (t) => {
  if ((await selectBackend()) !== "wasm") return t.skip("wasm backend not selected");
  const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ["2-D plain", [5, 7], [7, 3], false, false],
    ["2-D transposeA", [7, 5], [7, 3], true, false],
    ["2-D transposeB", [5, 7], [3, 7], false, true],
    ["3-D both transposed", [4, 7, 5], [4, 3, 7], true, true],
    ["3-D times 2-D", [4, 5, 7], [7, 3], false, false],
    ["2-D times 3-D", [5, 7], [4, 7, 3], false, false],
    ["4-D, right batch of one", [2, 3, 5, 7], [1, 1, 6, 7], false, true],
    ["4-D batched, transposeA", [2, 3, 7, 5], [2, 3, 7, 6], true, false],
    // Above the small-product loop: materialized transposes and per-batch 2-D products.
    ["large 3-D transposeB", [3, 80, 40], [3, 90, 40], false, true],
    ["large 2-D transposeA", [150, 120], [150, 100], true, false],
    ["large 3-D times shared 2-D", [4, 100, 60], [60, 50], false, false],
  ];
  for (const [name, aShape, bShape, ta, tb] of cases) {
    const a = r(aShape, 6);
    const b = r(bShape, 7);
    for (const [got, want] of onBoth(() => tf.matMul(a, b, ta, tb))) {
      const err = maxScaledError(got, want);
      assert.ok(err < 1e-5, `${name} differs: ${err}`);
    }
    tf.dispose([a, b]);
  }
});

test("wasm Slice, SplitV, Unpack and Reverse match the cpu backend exactly", async (t) => {
  if ((await selectBackend()) !== "wasm") return t.skip("wasm backend not selected");
  const x = tf.randomNormal([3, 4, 5, 6], 0, 1, "float32", 8);
  const x5 = tf.randomNormal([2, 3, 2, 3, 4], 0, 1, "float32", 9);
  const pairs = onBoth(() => [
    tf.slice(x, [1, 1, 0, 2], [2, 2, -1, 3]),
    tf.slice(x, [0, 2], [3, 2]),
    tf.slice(x5, [1, 0, 1, 1, 0], [1, 3, 1, 2, 4]),
    ...tf.split(x, [1, 3, 2], 3),
    ...tf.split(x, 2, 1),
    ...tf.unstack(x, 2),
    tf.stridedSlice(x, [0, 0, 0, 0], [3, 4, 5, 6], [1, 2, 2, 1]),
    tf.reverse(x, [0, 1]),
    tf.reverse(x, [3]),
    tf.reverse(x, [1, 3]),
    tf.reverse(x5, [2]),
    tf.reverse(tf.scalar(3)),
  ]);
  for (const [got, want] of pairs) assert.deepEqual(got, want);
  tf.dispose([x, x5]);
});

test("wasm Identity and same-dtype Cast share their input's buffer; other casts convert", async (t) => {
  if ((await selectBackend()) !== "wasm") return t.skip("wasm backend not selected");
  tf.setBackend("wasm");
  const x = tf.tensor([1.5, -2.5, 3]);
  const refCount = (u: tf.Tensor) => tf.backend().refCount(u.dataId);
  const clone = tf.clone(x);
  const same = tf.cast(x, "float32");
  assert.equal(clone.dataId, x.dataId);
  assert.equal(same.dataId, x.dataId);
  assert.equal(refCount(x), 3);
  const ints = tf.cast(x, "int32");
  assert.notEqual(ints.dataId, x.dataId);
  assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 3]);
  x.dispose();
  assert.deepEqual(Array.from(clone.dataSync()), [1.5, -2.5, 3], "the buffer outlives the first tensor");
  tf.dispose([clone, same, ints]);
  assert.equal(refCount(clone), 0, "and goes with the last");
});

test("the kernels leave no tensors behind", async (t) => {
  if ((await selectBackend()) !== "wasm") return t.skip("wasm backend not selected");
  tf.setBackend("wasm");
  const x = tf.randomNormal([1, 8, 8, 3]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same")))([x, w]));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, w]);
});

test("backend names: preference order, forcing one, rejecting unknown names", () => {
  assert.deepEqual([...backendCandidates(null)], ["tensorflow", "webgpu", "wasm", "cpu"]);
  assert.deepEqual([...backendCandidates("cpu")], ["cpu"]);
  assert.throws(() => backendCandidates("gpu"), /unknown backend "gpu".*tensorflow, webgpu, wasm, cpu/);
});
