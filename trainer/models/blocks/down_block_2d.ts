import * as tf from "@tensorflow/tfjs";
import { Module } from "../../nn/module";
import { Downsample2D } from "../../nn/downsample";
import { ResnetBlock2D } from "../../nn/resnet_block";
import type { Transformer2DModel } from "../../nn/transformer_2d";
import { blockTransformer, type CrossAttentionSettings, type ResnetSettings } from "./block_settings";

export interface DownBlockOptions {
  numLayers: number;
  inChannels: number;
  outChannels: number;
  addDownsample: boolean;
  downsamplePadding: number;
  resnet: ResnetSettings;
  /** Present: CrossAttnDownBlock2D (a transformer after every resnet); absent: DownBlock2D. */
  crossAttention?: CrossAttentionSettings;
}

/** diffusers CrossAttnDownBlock2D / DownBlock2D: resnets (each followed by a transformer in the cross-attention kind), then an optional stride-2 conv. */
export class DownBlock2D extends Module {
  resnets: ResnetBlock2D[];
  attentions?: Transformer2DModel[];
  downsamplers?: [Downsample2D];

  constructor(opts: DownBlockOptions) {
    super();
    const { resnet, crossAttention: ca } = opts;
    this.resnets = Array.from(
      { length: opts.numLayers },
      (_, i) =>
        new ResnetBlock2D({
          inChannels: i === 0 ? opts.inChannels : opts.outChannels,
          outChannels: opts.outChannels,
          ...resnet,
        }),
    );
    if (ca) {
      this.attentions = this.resnets.map(() => blockTransformer(opts.outChannels, ca, resnet.groups));
    }
    if (opts.addDownsample) {
      this.downsamplers = [new Downsample2D(opts.outChannels, opts.outChannels, opts.downsamplePadding)];
    }
  }

  /** Returns the block's output and the states it hands to the up path, in order (the output included). */
  forward(x: tf.Tensor4D, temb: tf.Tensor2D, context: tf.Tensor3D): { hidden: tf.Tensor4D; skips: tf.Tensor4D[] } {
    return tf.tidy(() => {
      const skips: tf.Tensor4D[] = [];
      let hidden = x;
      this.resnets.forEach((resnet, i) => {
        hidden = resnet.forward(hidden, temb);
        if (this.attentions) hidden = this.attentions[i].forward(hidden, context);
        skips.push(hidden);
      });
      if (this.downsamplers) {
        hidden = this.downsamplers[0].forward(hidden);
        skips.push(hidden);
      }
      return { hidden, skips };
    });
  }
}
