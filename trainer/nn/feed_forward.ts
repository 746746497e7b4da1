import * as tf from "@tensorflow/tfjs";
import { gelu } from "./activations";
import { Linear } from "./linear";
import { Module } from "./module";

/** GEGLU: one projection to 2*dimOut, split in half, value * gelu(gate). */
export class GEGLU extends Module {
  proj: Linear;

  constructor(
    dimIn: number,
    readonly dimOut: number,
  ) {
    super();
    this.proj = new Linear(dimIn, dimOut * 2);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [value, gate] = tf.split(this.proj.forward(x), 2, -1);
      return tf.mul(value, gelu(gate));
    });
  }
}

/** diffusers FeedForward with the "geglu" activation: net.0 = GEGLU, net.1 = Dropout (no parameters), net.2 = Linear. */
export class FeedForward extends Module {
  net: [GEGLU, null, Linear];

  constructor(dim: number, mult = 4) {
    super();
    const inner = dim * mult;
    this.net = [new GEGLU(dim, inner), null, new Linear(inner, dim)];
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.net[2].forward(this.net[0].forward(x)));
  }
}
