import * as tf from "@tensorflow/tfjs";
import { Module } from "../../nn/module";
import { ResnetBlock2D } from "../../nn/resnet_block";
import type { Transformer2DModel } from "../../nn/transformer_2d";
import { blockTransformer, type CrossAttentionSettings, type ResnetSettings } from "./block_settings";

export interface MidBlockCrossAttnOptions {
  channels: number;
  resnet: ResnetSettings;
  crossAttention: CrossAttentionSettings;
  outputScaleFactor: number;
}

/** diffusers UNetMidBlock2DCrossAttn (one layer): resnet, transformer, resnet. */
export class UNetMidBlock2DCrossAttn extends Module {
  resnets: [ResnetBlock2D, ResnetBlock2D];
  attentions: [Transformer2DModel];

  constructor(opts: MidBlockCrossAttnOptions) {
    super();
    const { channels, resnet, crossAttention: ca } = opts;
    const makeResnet = () =>
      new ResnetBlock2D({ inChannels: channels, outChannels: channels, outputScaleFactor: opts.outputScaleFactor, ...resnet });
    this.resnets = [makeResnet(), makeResnet()];
    this.attentions = [blockTransformer(channels, ca, resnet.groups)];
  }

  forward(x: tf.Tensor4D, temb: tf.Tensor2D, context: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = this.attentions[0].forward(this.resnets[0].forward(x, temb), context);
      return this.resnets[1].forward(h, temb);
    });
  }
}
