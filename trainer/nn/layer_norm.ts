import * as tf from "@tensorflow/tfjs";
import { fusedGroupNorm, hasFusedGroupNorm } from "../kernels/group_norm";
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
   * Where the backend has the fused GroupNorm kernel: each row is a sample of one position and
   * one group, which is LayerNorm (a few kernels instead of ~30 for forward + backward).
   */
  forward(x: tf.Tensor): tf.Tensor {
    if (!hasFusedGroupNorm()) return this.forwardOps(x);
    return tf.tidy(() => {
      const rows = x.reshape([-1, this.dim]);
      return fusedGroupNorm(rows, this.weight.value, this.bias.value, { numGroups: 1, eps: this.eps }).reshape(x.shape);
    });
  }

  /** As tf ops, for backends whose memory JS cannot reach (tensorflow, webgpu). */
  forwardOps(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.weight.value), this.bias.value);
    });
  }
}
