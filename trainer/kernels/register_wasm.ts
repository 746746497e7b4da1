import * as tf from "@tensorflow/tfjs";
import { batchMatMulConfig } from "./batch_mat_mul";
import { conv2dBackpropFilterConfig } from "./conv2d_backprop_filter";
import { conv2dBackpropInputConfig } from "./conv2d_backprop_input";
import { castConfig, identityConfig } from "./shared_buffer";
import { unsortedSegmentSumConfig } from "./unsorted_segment_sum";
import { reverseConfig, sliceConfig, splitVConfig, unpackConfig } from "./wasm_slice";

/**
 * Kernels that training needs on wasm: Conv2DBackpropFilter and UnsortedSegmentSum
 * are missing there; the built-in Conv2DBackpropInput and transposed/batched
 * BatchMatMul are ~10x slower than the same math as forward Conv2D / plain 2-D
 * products; Slice/SplitV/Unpack copy their whole input to JS first; Reverse
 * takes ~100 ns per element; Identity and same-dtype Cast copy their input.
 * Safe to call again. Returns the names it registered.
 */
export function registerWasmKernels(backendName = "wasm"): string[] {
  const configs = [
    conv2dBackpropFilterConfig,
    conv2dBackpropInputConfig,
    unsortedSegmentSumConfig,
    batchMatMulConfig,
    sliceConfig,
    splitVConfig,
    unpackConfig,
    reverseConfig,
    identityConfig,
    castConfig,
  ].map((f) => f(backendName));
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, backendName) != null) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
  return configs.map((c) => c.kernelName);
}
