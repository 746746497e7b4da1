import * as tf from "@tensorflow/tfjs";
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

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.weight.value), this.bias.value);
    });
  }
}
