import * as tf from "@tensorflow/tfjs";
import { columnSumConfig } from "./webgpu/column_sum";

/**
 * Kernels that replace tfjs-backend-webgpu's own: Sum over the leading axes (bias gradients) in one
 * dispatch instead of a transpose and a reduction. (The fused GroupNorm, SiLU, GEGLU and attention
 * are not tf kernels: the nn modules call them on webgpu.) Safe to call again. Returns the names it
 * registered.
 */
export function registerWebGpuKernels(): string[] {
  const configs = [columnSumConfig()];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, "webgpu") != null) tf.unregisterKernel(config.kernelName, "webgpu");
    tf.registerKernel(config);
  }
  return configs.map((c) => c.kernelName);
}
