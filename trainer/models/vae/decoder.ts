import * as tf from "@tensorflow/tfjs";
import { Conv2d } from "../../nn/conv2d";
import { GroupNorm } from "../../nn/group_norm";
import { Module } from "../../nn/module";
import { UNetMidBlock2D } from "../blocks/mid_block_2d";
import { UpDecoderBlock2D } from "../blocks/up_decoder_block_2d";

/** diffusers vae.Decoder: conv_in, mid block, up blocks over the reversed channels, norm-silu-conv_out. */
export class Decoder extends Module {
  conv_in: Conv2d;
  mid_block: UNetMidBlock2D;
  up_blocks: UpDecoderBlock2D[];
  conv_norm_out: GroupNorm;
  conv_out: Conv2d;

  constructor(latentChannels: number, outChannels: number, blockOut: number[], layersPerBlock: number, groups: number) {
    super();
    const reversed = [...blockOut].reverse();
    const last = reversed.length - 1;
    this.conv_in = new Conv2d(latentChannels, reversed[0], 3, { padding: 1 });
    this.mid_block = new UNetMidBlock2D(reversed[0], groups);
    this.up_blocks = reversed.map(
      (out, i) => new UpDecoderBlock2D(layersPerBlock + 1, i === 0 ? reversed[0] : reversed[i - 1], out, groups, i !== last),
    );
    this.conv_norm_out = new GroupNorm(groups, blockOut[0], 1e-6);
    this.conv_out = new Conv2d(blockOut[0], outChannels, 3, { padding: 1 });
  }

  forward(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.mid_block.forward(this.conv_in.forward(z));
      for (const block of this.up_blocks) h = block.forward(h);
      return this.conv_out.forward(this.conv_norm_out.forward(h, "silu"));
    });
  }
}
