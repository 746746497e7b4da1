import * as tf from "@tensorflow/tfjs";
import { silu } from "./activations";
import { Conv2d } from "./conv2d";
import { GroupNorm } from "./group_norm";
import { Linear } from "./linear";
import { Module } from "./module";

export interface ResnetBlockOptions {
  inChannels: number;
  outChannels: number;
  /** Width of the time embedding; the VAE's blocks have none. */
  tembChannels?: number;
  groups: number;
  eps: number;
  outputScaleFactor?: number;
}

/**
 * diffusers ResnetBlock2D (default time-embedding norm): norm-silu-conv, add the
 * projected time embedding, norm-silu-conv, then add the input (through a 1x1
 * conv when the channel count changes) and divide by the output scale factor.
 */
export class ResnetBlock2D extends Module {
  norm1: GroupNorm;
  conv1: Conv2d;
  time_emb_proj?: Linear;
  norm2: GroupNorm;
  conv2: Conv2d;
  conv_shortcut?: Conv2d;
  readonly outputScaleFactor: number;

  constructor(opts: ResnetBlockOptions) {
    super();
    const { inChannels, outChannels, groups, eps } = opts;
    this.norm1 = new GroupNorm(groups, inChannels, eps);
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1 });
    if (opts.tembChannels !== undefined) this.time_emb_proj = new Linear(opts.tembChannels, outChannels);
    this.norm2 = new GroupNorm(groups, outChannels, eps);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1 });
    if (inChannels !== outChannels) this.conv_shortcut = new Conv2d(inChannels, outChannels, 1);
    this.outputScaleFactor = opts.outputScaleFactor ?? 1;
  }

  /** x NHWC; temb [N, tembChannels] when the block has a time projection. */
  forward(x: tf.Tensor4D, temb?: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.conv1.forward(this.norm1.forward(x, "silu"));
      if (this.time_emb_proj) {
        if (!temb) throw new Error("ResnetBlock2D: this block needs a time embedding");
        const t = this.time_emb_proj.forward(silu(temb));
        h = tf.add(h, t.reshape([-1, 1, 1, this.time_emb_proj.outFeatures]));
      }
      h = this.conv2.forward(this.norm2.forward(h, "silu"));
      const shortcut = this.conv_shortcut ? this.conv_shortcut.forward(x) : x;
      const sum = tf.add(shortcut, h) as tf.Tensor4D;
      return this.outputScaleFactor === 1 ? sum : tf.div(sum, this.outputScaleFactor);
    });
  }
}
