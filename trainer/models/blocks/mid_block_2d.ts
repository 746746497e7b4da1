import * as tf from "@tensorflow/tfjs";
import { Attention } from "../../nn/attention";
import { Module } from "../../nn/module";
import { ResnetBlock2D } from "../../nn/resnet_block";

/** diffusers UNetMidBlock2D as the VAE uses it: resnet, single-head spatial self attention (group norm + residual), resnet. */
export class UNetMidBlock2D extends Module {
  resnets: [ResnetBlock2D, ResnetBlock2D];
  attentions: [Attention];

  constructor(channels: number, groups: number) {
    super();
    const eps = 1e-6;
    const makeResnet = () => new ResnetBlock2D({ inChannels: channels, outChannels: channels, groups, eps });
    this.resnets = [makeResnet(), makeResnet()];
    // The VAE's attention_head_dim is the channel count: one head.
    this.attentions = [new Attention({ queryDim: channels, heads: 1, dimHead: channels, bias: true, normNumGroups: groups, eps })];
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.resnets[1].forward(this.attentions[0].forwardSpatial(this.resnets[0].forward(x))));
  }
}
