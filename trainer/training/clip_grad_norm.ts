/**
 * torch.nn.utils.clip_grad_norm_ with the L2 norm: `clipGradNorm(grads, maxNorm)` scales every
 * gradient in the map by min(1, maxNorm / (norm + 1e-6)) and returns the norm before clipping.
 */
import * as tf from "@tensorflow/tfjs";
import type { HostMemory } from "./host_memory";

/** The global L2 norm: the norm of the per-tensor norms, as torch stacks them. The caller disposes. */
export function globalNorm(tensors: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.norm(tf.stack([...tensors].map((t) => tf.norm(t)))) as tf.Scalar);
}

/** The same norm read straight from host memory, summed in float64 and returned as float32 like torch's. */
export function globalNormOnHost(memory: HostMemory, tensors: Iterable<tf.Tensor>): number {
  let sumSq = 0;
  for (const t of tensors) {
    const v = memory.view(t);
    for (let i = 0; i < v.length; i++) sumSq += v[i]! * v[i]!;
  }
  return Math.fround(Math.sqrt(sumSq));
}

/** torch's clip_coef_clamped, a float32 scalar: min(1, maxNorm / (norm + 1e-6)). */
export function clipCoefficient(norm: number, maxNorm: number): number {
  return Math.min(1, Math.fround(maxNorm / Math.fround(norm + 1e-6)));
}

/**
 * Replaces each gradient in the map with its clipped value (disposing the old one); returns the
 * pre-clip norm as a scalar the caller disposes. The coefficient stays on the device: nothing is read.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): tf.Scalar {
  if (grads.size === 0) return tf.scalar(0);
  const norm = globalNorm(grads.values());
  const coef = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))));
  for (const [name, g] of grads) {
    grads.set(name, tf.mul(g, coef));
    g.dispose();
  }
  coef.dispose();
  return norm;
}
