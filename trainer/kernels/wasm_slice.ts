import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/**
 * Copies x[begin : begin+size] into a new wasm tensor, reading the input in
 * place on the wasm heap. (The built-in Slice first copies the whole input
 * into a fresh JS array, ~40x slower on large tensors; Split and Unstack use it too.)
 * With `reversed` axes, those axes are read back to front (tf.reverse).
 */
export function heapSlice(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[], reversed: number[] = []): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // Views are taken after allocating: growing wasm memory detaches older views.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (dst.length === 0) return out;
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape).concat(rank > 0 ? [1] : []);
  // Trailing dimensions taken whole (and not reversed) merge with the one before them into one contiguous run.
  const lastReversed = Math.max(-1, ...reversed);
  let runDim = rank - 1;
  while (runDim > 0 && runDim - 1 > lastReversed && size[runDim] === x.shape[runDim]) runDim--;
  if (runDim <= lastReversed) runDim = lastReversed + 1;
  const run = size.slice(Math.max(runDim, 0)).reduce((p, d) => p * d, 1);
  const index = new Array<number>(Math.max(runDim, 0)).fill(0);
  const flip = x.shape.map((_, d) => reversed.includes(d));
  const baseOffset = begin.reduce((acc, b, d) => acc + b * strides[d]!, 0);
  for (let written = 0; written < dst.length; written += run) {
    const offset = index.reduce((acc, i, d) => acc + (flip[d] ? size[d]! - 1 - i : i) * strides[d]!, baseOffset);
    dst.set(src.subarray(offset, offset + run), written);
    for (let d = runDim - 1; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** The config of a kernel that slices its one input on the wasm heap (strings are not on the heap). */
function heapKernel(
  kernelName: string,
  input: string,
  run: (x: tf.TensorInfo, attrs: tf.NamedAttrMap, backend: BackendWasm) => tf.TensorInfo | tf.TensorInfo[],
): (backendName: string) => tf.KernelConfig {
  return (backendName) => ({
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const x = inputs[input]!;
      if (x.dtype === "string") throw new Error("wasm slice kernels: string tensors are not supported");
      return run(x, attrs ?? {}, backend as BackendWasm);
    },
  });
}

export const sliceConfig = heapKernel("Slice", "x", (x, attrs, backend) => {
  const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  return heapSlice(backend, x, b, s);
});

export const splitVConfig = heapKernel("SplitV", "x", (x, attrs, backend) => {
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[ax] = s;
    const piece = heapSlice(backend, x, begin, size);
    begin[ax]! += s;
    return piece;
  });
});

export const reverseConfig = heapKernel("Reverse", "x", (x, attrs, backend) => {
  const axes = tf.util.parseAxisParam((attrs as unknown as { dims: number | number[] }).dims, x.shape);
  return heapSlice(backend, x, x.shape.map(() => 0), [...x.shape], axes);
});

export const unpackConfig = heapKernel("Unpack", "value", (x, attrs, backend) => {
  const ax = tf.util.parseAxisParam((attrs as unknown as { axis: number }).axis, x.shape)[0]!;
  const outShape = x.shape.filter((_, d) => d !== ax);
  const size = x.shape.map((d, i) => (i === ax ? 1 : d));
  return Array.from({ length: x.shape[ax]! }, (_, i) => {
    const begin = x.shape.map((_, d) => (d === ax ? i : 0));
    const { dataId, dtype } = heapSlice(backend, x, begin, size);
    return { dataId, dtype, shape: outShape };
  });
});
