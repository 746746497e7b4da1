import * as tf from "@tensorflow/tfjs";
import { asTensor, convGeometry, padOrCrop, type ConvAttrs } from "./conv_geometry";

/**
 * dW[a,b,ci,co] = sum over batch and output pixels of x(at tap a,b) * dy.
 * Computed tap by tap as a matmul of the strided input window with dy, so only
 * one window is alive at a time (the wasm backend has no such kernel at all).
 */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filterShape;
    const g = convGeometry(x.shape, filterShape, attrs);
    const [n] = x.shape;
    const rows = n * g.outHeight * g.outWidth;
    const xp = padOrCrop(x, g.top, g.bottom, g.left, g.right);
    const dyFlat = tf.reshape(dy, [rows, co]);
    const taps: tf.Tensor2D[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const window = tf.stridedSlice(
          xp,
          [0, a, b, 0],
          [n, a + (g.outHeight - 1) * g.strideH + 1, b + (g.outWidth - 1) * g.strideW + 1, ci],
          [1, g.strideH, g.strideW, 1],
        );
        taps.push(tf.matMul(tf.reshape(window, [rows, ci]), dyFlat, true, false));
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, ci, co]);
  });
}

export const conv2dBackpropFilterConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: "Conv2DBackpropFilter",
  backendName,
  kernelFunc: ({ inputs, attrs }) =>
    conv2dBackpropFilter(
      asTensor<tf.Tensor4D>(inputs, "x"),
      asTensor<tf.Tensor4D>(inputs, "dy"),
      (attrs as unknown as { filterShape: number[] }).filterShape,
      attrs as unknown as ConvAttrs,
    ),
});
