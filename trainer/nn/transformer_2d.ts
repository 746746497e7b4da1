import * as tf from "@tensorflow/tfjs";
import { BasicTransformerBlock } from "./basic_transformer_block";
import { Conv2d } from "./conv2d";
import { GroupNorm } from "./group_norm";
import { Linear } from "./linear";
import { Module } from "./module";

export interface Transformer2DOptions {
  heads: number;
  dimHead: number;
  inChannels: number;
  numLayers: number;
  crossAttentionDim: number;
  normNumGroups: number;
  /** SD2 projects in and out with Linear layers, SD1 with 1x1 convolutions. */
  useLinearProjection: boolean;
}

/**
 * diffusers Transformer2DModel on continuous input: group norm, project the
 * channels in, transformer blocks over the H*W tokens, project out, add the input.
 * On NHWC activations a 1x1 conv and a Linear are the same map, so the two
 * projection kinds differ only in their checkpoint weight shapes.
 */
export class Transformer2DModel extends Module {
  norm: GroupNorm;
  proj_in: Linear | Conv2d;
  transformer_blocks: BasicTransformerBlock[];
  proj_out: Linear | Conv2d;

  constructor(opts: Transformer2DOptions) {
    super();
    const inner = opts.heads * opts.dimHead;
    const project = (from: number, to: number) =>
      opts.useLinearProjection ? new Linear(from, to) : new Conv2d(from, to, 1);
    this.norm = new GroupNorm(opts.normNumGroups, opts.inChannels, 1e-6);
    this.proj_in = project(opts.inChannels, inner);
    this.transformer_blocks = Array.from(
      { length: opts.numLayers },
      () => new BasicTransformerBlock(inner, opts.heads, opts.dimHead, opts.crossAttentionDim),
    );
    this.proj_out = project(inner, opts.inChannels);
  }

  /** x NHWC [N, H, W, C], context [N, Lk, crossAttentionDim]. */
  forward(x: tf.Tensor4D, context: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = x.shape;
      let hidden = this.proj_in.forward(this.norm.forward(x)) as tf.Tensor4D;
      let tokens = hidden.reshape([n, h * w, hidden.shape[3]]) as tf.Tensor3D;
      for (const block of this.transformer_blocks) tokens = block.forward(tokens, context);
      hidden = tokens.reshape([n, h, w, tokens.shape[2]]);
      return tf.add(this.proj_out.forward(hidden), x) as tf.Tensor4D;
    });
  }
}
