/**
 * torch.nn.utils.clip_grad_norm_ with the L2 norm: `clipGradNorm(grads, maxNorm)` scales every
 * gradient in the map by min(1, maxNorm / (norm + 1e-6)) and returns the norm before clipping.
 */
import * as tf from "@tensorflow/tfjs";

/** The global L2 norm: the norm of the per-tensor norms, as torch stacks them. The caller disposes. */
export function globalNorm(tensors: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.norm(tf.stack([...tensors].map((t) => tf.norm(t)))) as tf.Scalar);
}

/** Replaces each gradient in the map with its clipped value (disposing the old one); returns the pre-clip norm. */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  if (grads.size === 0) return 0;
  const norm = globalNorm(grads.values());
  const coef = tf.tidy(() => tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1));
  for (const [name, g] of grads) {
    grads.set(name, tf.mul(g, coef));
    g.dispose();
  }
  const value = norm.dataSync()[0];
  norm.dispose();
  coef.dispose();
  return value;
}
