import * as tf from "@tensorflow/tfjs";

/** SiLU (swish): x * sigmoid(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** The exact (erf-based) GELU that torch.nn.functional.gelu computes by default. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}
