import * as tf from "@tensorflow/tfjs";
import { Conv2d } from "./conv2d";
import { Module } from "./module";

/** diffusers Upsample2D with a conv: nearest-neighbour resize (2x, or to a given size), then a 3x3 conv. */
export class Upsample2D extends Module {
  conv: Conv2d;

  constructor(channels: number, outChannels: number) {
    super();
    this.conv = new Conv2d(channels, outChannels, 3, { padding: 1 });
  }

  /** size: [H, W] to resize to, for latents whose sides are not multiples of the total downscale. */
  forward(x: tf.Tensor4D, size?: [number, number]): tf.Tensor4D {
    return tf.tidy(() => {
      const target = size ?? [x.shape[1] * 2, x.shape[2] * 2];
      return this.conv.forward(tf.image.resizeNearestNeighbor(x, target));
    });
  }
}
