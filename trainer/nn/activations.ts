import * as tf from "@tensorflow/tfjs";
import { webGpuSilu } from "../kernels/webgpu/activations";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";

/** SiLU (swish): x * sigmoid(x); one fused kernel each way on webgpu. */
export function silu<T extends tf.Tensor>(x: T): T {
  return isWebGpu() ? webGpuSilu(x) : siluOps(x);
}

/** SiLU as tf ops. */
export function siluOps<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** The exact (erf-based) GELU that torch.nn.functional.gelu computes by default. */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}
