import * as tf from "@tensorflow/tfjs";
import { Conv2d } from "./conv2d";
import { Module } from "./module";

/**
 * diffusers Downsample2D with a conv: 3x3, stride 2. With padding 0 (the VAE
 * encoder) torch first pads one zero row and column on the bottom and right only.
 */
export class Downsample2D extends Module {
  conv: Conv2d;

  constructor(
    channels: number,
    outChannels: number,
    readonly padding: number,
  ) {
    super();
    this.conv = new Conv2d(channels, outChannels, 3, { stride: 2, padding });
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const input = this.padding === 0 ? tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]) : x;
      return this.conv.forward(input);
    });
  }
}
