import * as tf from "@tensorflow/tfjs";
import { Conv2d } from "../../nn/conv2d";
import { GroupNorm } from "../../nn/group_norm";
import { Module } from "../../nn/module";
import { DownEncoderBlock2D } from "../blocks/down_encoder_block_2d";
import { UNetMidBlock2D } from "../blocks/mid_block_2d";

/** diffusers vae.Encoder: conv_in, down blocks, mid block, norm-silu-conv_out to 2*latent channels (mean and logvar). */
export class Encoder extends Module {
  conv_in: Conv2d;
  down_blocks: DownEncoderBlock2D[];
  mid_block: UNetMidBlock2D;
  conv_norm_out: GroupNorm;
  conv_out: Conv2d;

  constructor(inChannels: number, latentChannels: number, blockOut: number[], layersPerBlock: number, groups: number) {
    super();
    const last = blockOut.length - 1;
    this.conv_in = new Conv2d(inChannels, blockOut[0], 3, { padding: 1 });
    this.down_blocks = blockOut.map(
      (out, i) => new DownEncoderBlock2D(layersPerBlock, i === 0 ? blockOut[0] : blockOut[i - 1], out, groups, i !== last),
    );
    this.mid_block = new UNetMidBlock2D(blockOut[last], groups);
    this.conv_norm_out = new GroupNorm(groups, blockOut[last], 1e-6);
    this.conv_out = new Conv2d(blockOut[last], 2 * latentChannels, 3, { padding: 1 });
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = this.conv_in.forward(x);
      for (const block of this.down_blocks) h = block.forward(h);
      h = this.mid_block.forward(h);
      return this.conv_out.forward(this.conv_norm_out.forward(h, "silu"));
    });
  }
}
