import * as tf from "@tensorflow/tfjs";
import { Module } from "../../nn/module";
import { ResnetBlock2D } from "../../nn/resnet_block";
import { Upsample2D } from "../../nn/upsample";

/** diffusers UpDecoderBlock2D (VAE decoder): resnets without time embedding or skips, then an optional 2x upsample. */
export class UpDecoderBlock2D extends Module {
  resnets: ResnetBlock2D[];
  upsamplers?: [Upsample2D];

  constructor(numLayers: number, inChannels: number, outChannels: number, groups: number, addUpsample: boolean) {
    super();
    this.resnets = Array.from(
      { length: numLayers },
      (_, i) => new ResnetBlock2D({ inChannels: i === 0 ? inChannels : outChannels, outChannels, groups, eps: 1e-6 }),
    );
    if (addUpsample) this.upsamplers = [new Upsample2D(outChannels, outChannels)];
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.resnets.reduce((acc, resnet) => resnet.forward(acc), x);
      return this.upsamplers ? this.upsamplers[0].forward(h) : h;
    });
  }
}
