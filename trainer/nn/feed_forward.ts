import * as tf from "@tensorflow/tfjs";
import { webGpuGeglu } from "../kernels/webgpu/activations";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";
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

  /** The split and the gating are one kernel each way on webgpu. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (isWebGpu() ? webGpuGeglu(this.proj.forward(x)) : this.gate(this.proj.forward(x))));
  }

  /** value * gelu(gate) for the projection's two halves, as tf ops. */
  gate(projected: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [value, gate] = tf.split(projected, 2, -1);
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
