import * as tf from "@tensorflow/tfjs";
import { Downsample2D } from "../../nn/downsample";
import { Module } from "../../nn/module";
import { ResnetBlock2D } from "../../nn/resnet_block";

/** diffusers DownEncoderBlock2D (VAE encoder): resnets without time embedding, then an optional stride-2 conv padded bottom-right. */
export class DownEncoderBlock2D extends Module {
  resnets: ResnetBlock2D[];
  downsamplers?: [Downsample2D];

  constructor(numLayers: number, inChannels: number, outChannels: number, groups: number, addDownsample: boolean) {
    super();
    this.resnets = Array.from(
      { length: numLayers },
      (_, i) => new ResnetBlock2D({ inChannels: i === 0 ? inChannels : outChannels, outChannels, groups, eps: 1e-6 }),
    );
    if (addDownsample) this.downsamplers = [new Downsample2D(outChannels, outChannels, 0)];
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.resnets.reduce((acc, resnet) => resnet.forward(acc), x);
      return this.downsamplers ? this.downsamplers[0].forward(h) : h;
    });
  }
}
