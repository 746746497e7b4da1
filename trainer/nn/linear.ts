import * as tf from "@tensorflow/tfjs";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";
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
      const weight = this.weight.value as tf.Tensor2D;
      let y: tf.Tensor;
      // On webgpu the bias rides in the product's own dispatch. (Without a bias, the plain product lets
      // the tape skip the input's gradient where nothing needs it, as for the text states' keys.)
      if (this.bias && isWebGpu()) y = tf.fused.matMul({ a: flat, b: weight, bias: this.bias.value });
      else {
        y = tf.matMul(flat, weight);
        if (this.bias) y = tf.add(y, this.bias.value);
      }
      return y.reshape([...lead, this.outFeatures]);
    });
  }
}
