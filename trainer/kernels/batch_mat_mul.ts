import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { asTensor } from "./conv_geometry";

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const batchOf = (t: tf.TensorInfo): number => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);

/** Whether the backend's own kernel takes its fast path: one plain 2-D product, no transposes. */
function isPlainProduct(a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs): boolean {
  return !attrs.transposeA && !attrs.transposeB && batchOf(a) === 1 && batchOf(b) === 1;
}

/** Multiply-adds below which a product runs as a plain loop here: per-op overhead and XNNPACK's per-operand setup dominate there. */
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

/** A small product as a loop over the operands in place on the wasm heap, accumulating in float64. */
function smallProduct(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs, dims: NonNullable<ReturnType<typeof productDims>>): tf.TensorInfo {
  const { m, k, n, batchA, batchB, batch, outer } = dims;
  const out = backend.makeOutput([...outer, m, n], "float32");
  // Views are taken after allocating: growing wasm memory detaches older views.
  const av = backend.typedArrayFromHeap(a);
  const bv = backend.typedArrayFromHeap(b);
  const ov = backend.typedArrayFromHeap(out);
  // Element (row, col) of the logical operand at base + row * rowStride + col * colStride.
  const [aRow, aCol] = attrs.transposeA ? [1, m] : [k, 1];
  const [bRow, bCol] = attrs.transposeB ? [1, k] : [n, 1];
  const acc = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const aBase = (batchA === 1 ? 0 : t) * m * k;
    const bBase = (batchB === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const x = av[aBase + i * aRow + kk * aCol]!;
        const bk = bBase + kk * bRow;
        for (let j = 0; j < n; j++) acc[j] += x * bv[bk + j * bCol]!;
      }
      ov.set(acc, (t * m + i) * n);
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
 * through plain products, or, when small, through a loop in place.
 */
export function batchMatMulConfig(backendName: string): tf.KernelConfig {
  const builtin = tf.getKernel("BatchMatMul", backendName);
  if (!builtin) throw new Error(`no built-in BatchMatMul to wrap on ${backendName}`);
  if ((builtin as { wrapped?: true }).wrapped) return builtin;
  const config: tf.KernelConfig & { wrapped: true } = {
    kernelName: "BatchMatMul",
    backendName,
    wrapped: true,
    kernelFunc: (args) => {
      const { inputs } = args;
      const attrs = args.attrs as unknown as MatMulAttrs;
      const a = asTensor(inputs, "a");
      const b = asTensor(inputs, "b");
      if (isPlainProduct(a, b, attrs)) return builtin.kernelFunc(args);
      const dims = productDims(a, b, attrs);
      if (dims && a.dtype === "float32" && b.dtype === "float32" && dims.batch * dims.m * dims.k * dims.n <= SMALL_PRODUCT_MACS) {
        return smallProduct(args.backend as BackendWasm, a, b, attrs, dims);
      }
      return viaPlainProducts(a, b, attrs);
    },
  };
  return config;
}
