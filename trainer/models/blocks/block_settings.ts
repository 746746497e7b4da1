import { Transformer2DModel } from "../../nn/transformer_2d";

/** What the UNet's resnets share within one model. */
export interface ResnetSettings {
  tembChannels: number;
  groups: number;
  eps: number;
}

/** The transformers of a cross-attention block; absent for plain blocks. */
export interface CrossAttentionSettings {
  heads: number;
  /** transformer_layers_per_block for this block. */
  layers: number;
  crossAttentionDim: number;
  useLinearProjection: boolean;
}

/** The Transformer2DModel a cross-attention block puts after a resnet with `channels` outputs. */
export function blockTransformer(channels: number, ca: CrossAttentionSettings, groups: number): Transformer2DModel {
  return new Transformer2DModel({
    heads: ca.heads,
    dimHead: channels / ca.heads,
    inChannels: channels,
    numLayers: ca.layers,
    crossAttentionDim: ca.crossAttentionDim,
    normNumGroups: groups,
    useLinearProjection: ca.useLinearProjection,
  });
}
