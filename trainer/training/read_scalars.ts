import * as tf from "@tensorflow/tfjs";

/**
 * The values of several scalars in one device read, disposing them. On WebGPU a read is a
 * round trip that waits for the queue, so a training step reads its loss and grad norm together.
 */
export async function readScalars(scalars: tf.Scalar[]): Promise<number[]> {
  if (scalars.length === 0) return [];
  const stacked = tf.stack(scalars);
  try {
    return Array.from(await stacked.data());
  } finally {
    tf.dispose([stacked, ...scalars]);
  }
}
