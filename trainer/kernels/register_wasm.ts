import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterConfig } from "./conv2d_backprop_filter";
import { conv2dBackpropInputConfig } from "./conv2d_backprop_input";
import { unsortedSegmentSumConfig } from "./unsorted_segment_sum";

/**
 * Kernels that training needs on wasm: Conv2DBackpropFilter and UnsortedSegmentSum
 * are missing there, and the built-in Conv2DBackpropInput is ~10x slower than the
 * same gradient written as a forward conv. Returns the names it (re)registered.
 */
export function registerWasmKernels(backendName = "wasm"): string[] {
  const configs = [conv2dBackpropFilterConfig, conv2dBackpropInputConfig, unsortedSegmentSumConfig].map((f) => f(backendName));
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, backendName) != null) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
  return configs.map((c) => c.kernelName);
}
