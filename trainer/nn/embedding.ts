import * as tf from "@tensorflow/tfjs";
import { Module, Parameter, parameter } from "./module";

/** torch.nn.Embedding: row `id` of a [count, dim] table for each integer id. */
export class Embedding extends Module {
  weight: Parameter;

  constructor(
    readonly count: number,
    readonly dim: number,
  ) {
    super();
    this.weight = parameter([count, dim]);
  }

  /** ids of any shape (int32) -> [...ids.shape, dim]. */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.gather(this.weight.value, ids);
  }
}
