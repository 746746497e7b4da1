import * as tf from "@tensorflow/tfjs";
import { fusedGroupNorm, hasFusedGroupNorm } from "../kernels/group_norm";
import { webGpuGroupNorm } from "../kernels/webgpu/group_norm";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";
import { Module, Parameter, parameter } from "./module";

/** torch.nn.LayerNorm over the last axis (biased variance, eps inside the square root). */
export class LayerNorm extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = parameter([dim]);
    this.bias = parameter([dim]);
  }

  /**
   * Where the backend has a fused GroupNorm kernel (webgpu, wasm, cpu): each row is a sample of one
   * position and one group, which is LayerNorm (a few kernels instead of ~30 for forward + backward).
   */
  forward(x: tf.Tensor): tf.Tensor {
    if (!isWebGpu() && !hasFusedGroupNorm()) return this.forwardOps(x);
    return tf.tidy(() => {
      const rows = x.reshape([-1, this.dim]);
      const attrs = { numGroups: 1, eps: this.eps };
      const normed = isWebGpu() ? webGpuGroupNorm(rows, this.weight.value, this.bias.value, { ...attrs, silu: false }) : fusedGroupNorm(rows, this.weight.value, this.bias.value, attrs);
      return normed.reshape(x.shape);
    });
  }

  /** As tf ops, for the tensorflow backend (and as the reference in tests). */
  forwardOps(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.weight.value), this.bias.value);
    });
  }
}
