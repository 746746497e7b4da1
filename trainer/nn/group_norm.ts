import * as tf from "@tensorflow/tfjs";
import { Module, Parameter, parameter } from "./module";

/**
 * torch.nn.GroupNorm on channels-last activations ([N, H, W, C] or [N, L, C]):
 * statistics per sample over each group of C/groups channels and all positions,
 * biased variance, eps inside the square root, then a per-channel affine.
 */
export class GroupNorm extends Module {
  weight: Parameter;
  bias: Parameter;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
  ) {
    super();
    if (numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm: ${numChannels} channels do not split into ${numGroups} groups`);
    }
    this.weight = parameter([numChannels]);
    this.bias = parameter([numChannels]);
  }

  forward<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const n = x.shape[0];
      const grouped = x.reshape([n, -1, this.numGroups, this.numChannels / this.numGroups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      const normed = tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, this.eps))).reshape(x.shape);
      return tf.add(tf.mul(normed, this.weight.value), this.bias.value) as T;
    });
  }
}
