import * as tf from "@tensorflow/tfjs";
import { asTensor } from "./conv_geometry";

/**
 * out[s] = sum of x rows whose segment id is s, as one-hot(ids)^T @ x.
 * tfjs needs it for the gradient of gather (embedding lookups); wasm lacks it.
 */
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  return tf.tidy(() => {
    const rows = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const oneHot = tf.oneHot(tf.cast(tf.reshape(segmentIds, [rows]), "int32"), numSegments);
    const summed = tf.matMul(tf.cast(oneHot, "float32"), tf.cast(tf.reshape(x, [rows, -1]), "float32"), true, false);
    return tf.cast(tf.reshape(summed, [numSegments, ...rest]), x.dtype);
  });
}

export const unsortedSegmentSumConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: "UnsortedSegmentSum",
  backendName,
  kernelFunc: ({ inputs, attrs }) =>
    unsortedSegmentSum(
      asTensor(inputs, "x"),
      asTensor(inputs, "segmentIds"),
      (attrs as unknown as { numSegments: number }).numSegments,
    ),
});
