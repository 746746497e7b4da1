import * as tf from "@tensorflow/tfjs";
import { Module, Parameter, parameter } from "./module";

/** torch.nn.Linear: y = x W^T + b, over the last axis of any rank. */
export class Linear extends Module {
  weight: Parameter;
  bias?: Parameter;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    hasBias = true,
  ) {
    super();
    this.weight = parameter([inFeatures, outFeatures], "linear");
    if (hasBias) this.bias = parameter([outFeatures]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = x.reshape([-1, this.inFeatures]) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(flat, this.weight.value as tf.Tensor2D);
      if (this.bias) y = tf.add(y, this.bias.value);
      return y.reshape([...lead, this.outFeatures]);
    });
  }
}
