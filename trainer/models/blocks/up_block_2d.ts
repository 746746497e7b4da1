import * as tf from "@tensorflow/tfjs";
import { Module } from "../../nn/module";
import { ResnetBlock2D } from "../../nn/resnet_block";
import type { Transformer2DModel } from "../../nn/transformer_2d";
import { Upsample2D } from "../../nn/upsample";
import { blockTransformer, type CrossAttentionSettings, type ResnetSettings } from "./block_settings";

export interface UpBlockOptions {
  numLayers: number;
  /** Channels of the skip consumed by the last resnet (the down level below this one). */
  inChannels: number;
  /** Channels coming up from the previous up block. */
  prevOutputChannels: number;
  outChannels: number;
  addUpsample: boolean;
  resnet: ResnetSettings;
  /** Present: CrossAttnUpBlock2D; absent: UpBlock2D. */
  crossAttention?: CrossAttentionSettings;
}

/** diffusers CrossAttnUpBlock2D / UpBlock2D: each resnet takes the hidden state concatenated with one skip from the down path. */
export class UpBlock2D extends Module {
  resnets: ResnetBlock2D[];
  attentions?: Transformer2DModel[];
  upsamplers?: [Upsample2D];

  constructor(opts: UpBlockOptions) {
    super();
    const { resnet, crossAttention: ca } = opts;
    this.resnets = Array.from({ length: opts.numLayers }, (_, i) => {
      const skipChannels = i === opts.numLayers - 1 ? opts.inChannels : opts.outChannels;
      const hiddenChannels = i === 0 ? opts.prevOutputChannels : opts.outChannels;
      return new ResnetBlock2D({ inChannels: hiddenChannels + skipChannels, outChannels: opts.outChannels, ...resnet });
    });
    if (ca) {
      this.attentions = this.resnets.map(() => blockTransformer(opts.outChannels, ca, resnet.groups));
    }
    if (opts.addUpsample) this.upsamplers = [new Upsample2D(opts.outChannels, opts.outChannels)];
  }

  /**
   * skips: this block's skip states in down-path order (one per resnet); they are
   * consumed last first. upsampleSize: the next skip's spatial size when it is not 2x.
   */
  forward(
    x: tf.Tensor4D,
    skips: tf.Tensor4D[],
    temb: tf.Tensor2D,
    context: tf.Tensor3D,
    upsampleSize?: [number, number],
  ): tf.Tensor4D {
    if (skips.length !== this.resnets.length) {
      throw new Error(`UpBlock2D: ${this.resnets.length} resnets but ${skips.length} skip states`);
    }
    return tf.tidy(() => {
      let hidden = x;
      this.resnets.forEach((resnet, i) => {
        const skip = skips[skips.length - 1 - i];
        hidden = resnet.forward(tf.concat([hidden, skip], 3), temb);
        if (this.attentions) hidden = this.attentions[i].forward(hidden, context);
      });
      return this.upsamplers ? this.upsamplers[0].forward(hidden, upsampleSize) : hidden;
    });
  }
}
