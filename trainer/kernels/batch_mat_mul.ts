import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { asTensor } from "./conv_geometry";
import { wrapBuiltin } from "./wrap_builtin";

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const batchOf = (t: tf.TensorInfo): number => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);

/** Whether the backend's own kernel takes its fast path: one plain 2-D product, no transposes. */
function isPlainProduct(a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs): boolean {
  return !attrs.transposeA && !attrs.transposeB && batchOf(a) === 1 && batchOf(b) === 1;
}

/**
 * Multiply-adds below which a batched product runs as a loop here: splitting it into per-batch
 * plain products costs a dozen kernel calls. A 2-D product never does: a materialized transpose
 * and XNNPACK beat a JS loop (~1.5 ns per multiply-add) from a few thousand multiply-adds on.
 */
const SMALL_PRODUCT_MACS = 1 << 17;

/** Product dimensions; null when the batch shapes broadcast other than one-to-many. */
function productDims(a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs) {
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [m, k] = attrs.transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = attrs.transposeB ? [bc, br] : [br, bc];
  const batchA = batchOf(a);
  const batchB = batchOf(b);
  if (k !== kb || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return { m, k, n, batchA, batchB, batch: Math.max(batchA, batchB), outer };
}

/**
 * Operand rows along the inner dimension k: the block at `base` as stored when it already is
 * [rows, k], else its [k, rows] layout transposed into `scratch`.
 */
function rowsAlongK(src: Float32Array, base: number, rows: number, k: number, scratch: Float32Array | null): [Float32Array, number] {
  if (!scratch) return [src, base];
  for (let kk = 0; kk < k; kk++) {
    for (let r = 0; r < rows; r++) scratch[r * k + kk] = src[base + kk * rows + r];
  }
  return [scratch, 0];
}

/**
 * A small product on the wasm heap as dot products of rows along k, accumulating in float64
 * with four running sums (so the adds do not wait on each other). ~2x faster than a loop that
 * strides through a transposed operand.
 */
function smallProduct(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs, dims: NonNullable<ReturnType<typeof productDims>>): tf.TensorInfo {
  const { m, k, n, batchA, batchB, batch, outer } = dims;
  const out = backend.makeOutput([...outer, m, n], "float32");
  // Views are taken after allocating: growing wasm memory detaches older views.
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  // A is stored [m, k] unless transposed; B is [n, k] only when transposed.
  const aScratch = attrs.transposeA ? new Float32Array(m * k) : null;
  const bScratch = attrs.transposeB ? null : new Float32Array(k * n);
  const k4 = k - (k % 4);
  for (let t = 0; t < batch; t++) {
    const [ar, aBase] = rowsAlongK(av, (batchA === 1 ? 0 : t) * m * k, m, k, aScratch);
    const [br, bBase] = rowsAlongK(bv, (batchB === 1 ? 0 : t) * k * n, n, k, bScratch);
    for (let i = 0; i < m; i++) {
      const ai = aBase + i * k;
      const oi = (t * m + i) * n;
      for (let j = 0; j < n; j++) {
        const bj = bBase + j * k;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let kk = 0;
        for (; kk < k4; kk += 4) {
          s0 += ar[ai + kk] * br[bj + kk];
          s1 += ar[ai + kk + 1] * br[bj + kk + 1];
          s2 += ar[ai + kk + 2] * br[bj + kk + 2];
          s3 += ar[ai + kk + 3] * br[bj + kk + 3];
        }
        for (; kk < k; kk++) s0 += ar[ai + kk] * br[bj + kk];
        ov[oi + j] = s0 + s1 + (s2 + s3);
      }
    }
  }
  return out;
}

/**
 * The same product as a series of plain 2-D products (which re-enter the kernel
 * and take the fast path): transposes are materialized, a shared right operand
 * folds the left batch into rows, and other batches are done one by one.
 */
function viaPlainProducts(a: tf.Tensor, b: tf.Tensor, attrs: MatMulAttrs): tf.Tensor {
  return tf.tidy(() => {
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const lhs = attrs.transposeA ? tf.transpose(a, [...a.shape.keys()].map((i) => (i < a.rank - 2 ? i : 2 * a.rank - 3 - i))) : a;
    const rhs = attrs.transposeB ? tf.transpose(b, [...b.shape.keys()].map((i) => (i < b.rank - 2 ? i : 2 * b.rank - 3 - i))) : b;
    const [m, k] = lhs.shape.slice(-2) as [number, number];
    const [kb, n] = rhs.shape.slice(-2) as [number, number];
    if (k !== kb) throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of tensors with shapes ${a.shape} and ${b.shape} must match`);
    if (lhs.rank === 2 && rhs.rank === 2) return tf.matMul(lhs, rhs);
    if (batchOf(rhs) === 1) {
      return tf.reshape(tf.matMul(tf.reshape(lhs, [-1, k]), tf.reshape(rhs, [k, n])), [...outer, m, n]);
    }
    const batch = outer.reduce((p, d) => p * d, 1);
    const lhs3 = tf.reshape(tf.broadcastTo(lhs, [...outer, m, k]), [batch, m, k]);
    const rhs3 = tf.reshape(tf.broadcastTo(rhs, [...outer, k, n]), [batch, k, n]);
    const rights = tf.unstack(rhs3);
    const products = tf.unstack(lhs3).map((left, i) => tf.matMul(left, rights[i]!));
    return tf.reshape(tf.stack(products), [...outer, m, n]);
  });
}

/**
 * wasm's BatchMatMul runs at ~20 GFLOP/s for a plain 2-D product but ~1.5 with
 * a transpose flag or a batch dimension, which is what attention and every
 * matmul gradient use. This wraps the built-in kernel and routes those cases
 * through plain products, or, when small and batched, through a loop in place.
 */
export const batchMatMulConfig = (backendName: string): tf.KernelConfig =>
  wrapBuiltin("BatchMatMul", backendName, (builtin) => (args) => {
    const attrs = args.attrs as unknown as MatMulAttrs;
    const a = asTensor(args.inputs, "a");
    const b = asTensor(args.inputs, "b");
    if (isPlainProduct(a, b, attrs)) return builtin.kernelFunc(args);
    const dims = productDims(a, b, attrs);
    if (dims && dims.batch > 1 && dims.batch * dims.m * dims.k * dims.n <= SMALL_PRODUCT_MACS && a.dtype === "float32" && b.dtype === "float32") {
      return smallProduct(args.backend as BackendWasm, a, b, attrs, dims);
    }
    return viaPlainProducts(a, b, attrs);
  });
