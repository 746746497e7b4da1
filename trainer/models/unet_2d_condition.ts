import * as tf from "@tensorflow/tfjs";
import { Conv2d } from "../nn/conv2d";
import { GroupNorm } from "../nn/group_norm";
import { Module } from "../nn/module";
import { TimestepEmbedding, timestepSinusoids } from "../nn/timestep_embedding";
import type { CrossAttentionSettings, ResnetSettings } from "./blocks/block_settings";
import { DownBlock2D } from "./blocks/down_block_2d";
import { UNetMidBlock2DCrossAttn } from "./blocks/mid_block_2d_cross_attn";
import { UpBlock2D } from "./blocks/up_block_2d";
import {
  configBoolean,
  configList,
  configNumber,
  configPerBlock,
  configString,
  requireSetting,
} from "./config_values";
import { loadComponent, type PretrainedOptions } from "./load_component";

/** The UNet2DConditionModel config keys this port reads (SD1.x / SD2.x), resolved to per-block lists. */
export interface UNet2DConditionConfig {
  in_channels: number;
  out_channels: number;
  block_out_channels: number[];
  down_block_types: string[];
  up_block_types: string[];
  layers_per_block: number[];
  /** Heads per down block: diffusers reads SD's `attention_head_dim` as the number of heads. */
  heads: number[];
  cross_attention_dim: number[];
  transformer_layers_per_block: number[];
  reverse_transformer_layers_per_block: number[];
  use_linear_projection: boolean;
  norm_num_groups: number;
  norm_eps: number;
  flip_sin_to_cos: boolean;
  freq_shift: number;
  downsample_padding: number;
  mid_block_scale_factor: number;
  conv_in_kernel: number;
  conv_out_kernel: number;
}

const DOWN_TYPES = ["CrossAttnDownBlock2D", "DownBlock2D"];
const UP_TYPES = ["CrossAttnUpBlock2D", "UpBlock2D"];

/** Reads a diffusers unet/config.json with UNet2DConditionModel's defaults, rejecting what the port does not implement. */
export function parseUNetConfig(raw: Record<string, unknown>): UNet2DConditionConfig {
  const down = configList<string>(raw, "down_block_types", ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]);
  const up = configList<string>(raw, "up_block_types", ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]);
  const blockOut = configList<number>(raw, "block_out_channels", [320, 640, 1280, 1280]);
  const n = down.length;
  if (up.length !== n || blockOut.length !== n) throw new Error("config: down_block_types, up_block_types and block_out_channels differ in length");
  for (const t of down) if (!DOWN_TYPES.includes(t)) throw new Error(`config: down block type ${t} is not supported`);
  for (const t of up) if (!UP_TYPES.includes(t)) throw new Error(`config: up block type ${t} is not supported`);
  // Absent means the default; an explicit null means no mid block, which SD never uses and this port does not build.
  if ("mid_block_type" in raw && raw.mid_block_type !== "UNetMidBlock2DCrossAttn") {
    throw new Error(`config: mid_block_type ${JSON.stringify(raw.mid_block_type)} is not supported`);
  }
  if (raw.num_attention_heads != null) {
    // diffusers 0.29 refuses it too: its attention_head_dim already means heads (diffusers issue #2011).
    throw new Error("config: num_attention_heads cannot be set for UNet2DConditionModel; attention_head_dim gives the number of heads");
  }
  for (const [key, allowed] of [
    ["act_fn", ["silu", null]],
    ["only_cross_attention", [false, null]],
    ["dual_cross_attention", [false, null]],
    ["center_input_sample", [false, null]],
    ["class_embed_type", [null]],
    ["addition_embed_type", [null]],
    ["encoder_hid_dim", [null]],
    ["time_cond_proj_dim", [null]],
    ["time_embedding_type", ["positional", null]],
    ["time_embedding_dim", [null]],
    ["timestep_post_act", [null]],
    ["resnet_time_scale_shift", ["default", null]],
    ["resnet_out_scale_factor", [1, null]],
    ["attention_type", ["default", null]],
    ["mid_block_only_cross_attention", [null, false]],
    ["cross_attention_norm", [null]],
  ] as Array<[string, unknown[]]>) {
    requireSetting(raw, key, allowed);
  }
  const transformerLayers = configPerBlock(raw, "transformer_layers_per_block", 1, n);
  return {
    in_channels: configNumber(raw, "in_channels", 4),
    out_channels: configNumber(raw, "out_channels", 4),
    block_out_channels: blockOut,
    down_block_types: down,
    up_block_types: up,
    layers_per_block: configPerBlock(raw, "layers_per_block", 2, n),
    heads: configPerBlock(raw, "attention_head_dim", 8, n),
    cross_attention_dim: configPerBlock(raw, "cross_attention_dim", 1280, n),
    transformer_layers_per_block: transformerLayers,
    reverse_transformer_layers_per_block: raw.reverse_transformer_layers_per_block
      ? configPerBlock(raw, "reverse_transformer_layers_per_block", 1, n)
      : [...transformerLayers].reverse(),
    use_linear_projection: configBoolean(raw, "use_linear_projection", false),
    norm_num_groups: configNumber(raw, "norm_num_groups", 32),
    norm_eps: configNumber(raw, "norm_eps", 1e-5),
    flip_sin_to_cos: configBoolean(raw, "flip_sin_to_cos", true),
    freq_shift: configNumber(raw, "freq_shift", 0),
    downsample_padding: configNumber(raw, "downsample_padding", 1),
    mid_block_scale_factor: configNumber(raw, "mid_block_scale_factor", 1),
    conv_in_kernel: configNumber(raw, "conv_in_kernel", 3),
    conv_out_kernel: configNumber(raw, "conv_out_kernel", 3),
  };
}

/**
 * One piece of the forward pass for gradient checkpointing: a flat tensor list
 * in, a flat tensor list out. Between segments the list is
 * [temb, encoderHiddenStates, ...stack]: the stack holds the skip states still
 * waiting for the up path, and its last entry is the current hidden state (on
 * the down path that entry is also the newest skip, as in diffusers).
 */
export type UNetSegment = (inputs: tf.Tensor[]) => tf.Tensor[];

/** diffusers UNet2DConditionModel for the SD1.x / SD2.x configurations, on NHWC activations. */
export class UNet2DConditionModel extends Module {
  conv_in: Conv2d;
  time_embedding: TimestepEmbedding;
  down_blocks: DownBlock2D[];
  mid_block: UNetMidBlock2DCrossAttn;
  up_blocks: UpBlock2D[];
  conv_norm_out: GroupNorm;
  conv_out: Conv2d;

  constructor(readonly config: UNet2DConditionConfig) {
    super();
    const c = config;
    const channels = c.block_out_channels;
    const last = channels.length - 1;
    const timeEmbedDim = channels[0] * 4;
    const resnet: ResnetSettings = { tembChannels: timeEmbedDim, groups: c.norm_num_groups, eps: c.norm_eps };
    const crossAttention = (i: number, layers: number): CrossAttentionSettings => ({
      heads: c.heads[i],
      layers,
      crossAttentionDim: c.cross_attention_dim[i],
      useLinearProjection: c.use_linear_projection,
    });

    this.conv_in = new Conv2d(c.in_channels, channels[0], c.conv_in_kernel, { padding: (c.conv_in_kernel - 1) / 2 });
    this.time_embedding = new TimestepEmbedding(channels[0], timeEmbedDim);

    this.down_blocks = c.down_block_types.map(
      (type, i) =>
        new DownBlock2D({
          numLayers: c.layers_per_block[i],
          inChannels: i === 0 ? channels[0] : channels[i - 1],
          outChannels: channels[i],
          addDownsample: i !== last,
          downsamplePadding: c.downsample_padding,
          resnet,
          crossAttention: type === "CrossAttnDownBlock2D" ? crossAttention(i, c.transformer_layers_per_block[i]) : undefined,
        }),
    );

    this.mid_block = new UNetMidBlock2DCrossAttn({
      channels: channels[last],
      resnet,
      crossAttention: crossAttention(last, c.transformer_layers_per_block[last]),
      outputScaleFactor: c.mid_block_scale_factor,
    });

    // Up block i mirrors down level (last - i); the per-block settings are read reversed.
    this.up_blocks = c.up_block_types.map((type, i) => {
      const level = last - i;
      return new UpBlock2D({
        numLayers: c.layers_per_block[level] + 1,
        inChannels: channels[Math.max(level - 1, 0)],
        prevOutputChannels: channels[Math.min(level + 1, last)],
        outChannels: channels[level],
        addUpsample: i !== last,
        resnet,
        crossAttention: type === "CrossAttnUpBlock2D" ? crossAttention(level, c.reverse_transformer_layers_per_block[i]) : undefined,
      });
    });

    this.conv_norm_out = new GroupNorm(c.norm_num_groups, channels[0], c.norm_eps);
    this.conv_out = new Conv2d(channels[0], c.out_channels, c.conv_out_kernel, { padding: (c.conv_out_kernel - 1) / 2 });
  }

  static fromConfig(config: Record<string, unknown>): UNet2DConditionModel {
    return new UNet2DConditionModel(parseUNetConfig(config));
  }

  /** Loads `<pipelineDir>/<subfolder ?? "unet">`. */
  static fromPretrained(pipelineDir: string, opts: PretrainedOptions = {}): Promise<UNet2DConditionModel> {
    return loadComponent(pipelineDir, opts.subfolder ?? "unet", opts.variant, (config) => UNet2DConditionModel.fromConfig(config));
  }

  /** sample NHWC [N, h, w, in_channels], timestep float32 [N] (or [1], broadcast), encoderHiddenStates [N, L, D]; returns NHWC. */
  forward(sample: tf.Tensor4D, timestep: tf.Tensor1D, encoderHiddenStates: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      let state: tf.Tensor[] = [sample, timestep, encoderHiddenStates];
      for (const segment of this.segments()) state = segment(state);
      return state[0] as tf.Tensor4D;
    });
  }

  /**
   * The forward pass cut at block boundaries: time embedding and conv_in, each
   * down block, the mid block, each up block, the output head. The first takes
   * [sample, timestep, encoderHiddenStates], the last returns [out].
   */
  segments(): UNetSegment[] {
    const c = this.config;
    const stem: UNetSegment = ([sample, timestep, context]) =>
      tf.tidy(() => {
        const n = sample.shape[0];
        const t = tf.cast(timestep.size === 1 && n > 1 ? tf.broadcastTo(timestep.reshape([1]), [n]) : timestep, "float32");
        const sinusoids = timestepSinusoids(t as tf.Tensor1D, c.block_out_channels[0], c.flip_sin_to_cos, c.freq_shift);
        return [this.time_embedding.forward(sinusoids), context, this.conv_in.forward(sample as tf.Tensor4D)];
      });
    const down = this.down_blocks.map(
      (block): UNetSegment =>
        ([temb, context, ...stack]) => {
          const { skips } = block.forward(stack[stack.length - 1] as tf.Tensor4D, temb as tf.Tensor2D, context as tf.Tensor3D);
          return [temb, context, ...stack, ...skips];
        },
    );
    // The last down block's output is both the mid block's input and a skip, so it stays on the stack.
    const mid: UNetSegment = ([temb, context, ...stack]) => {
      const hidden = stack[stack.length - 1] as tf.Tensor4D;
      return [temb, context, ...stack, this.mid_block.forward(hidden, temb as tf.Tensor2D, context as tf.Tensor3D)];
    };
    const up = this.up_blocks.map(
      (block): UNetSegment =>
        ([temb, context, ...stack]) => {
          const hidden = stack.pop() as tf.Tensor4D;
          const skips = stack.splice(stack.length - block.resnets.length) as tf.Tensor4D[];
          // Upsample to the size of the skip the next block consumes (2x unless a side was odd).
          const next = stack[stack.length - 1];
          const size: [number, number] | undefined = next ? [next.shape[1]!, next.shape[2]!] : undefined;
          return [temb, context, ...stack, block.forward(hidden, skips, temb as tf.Tensor2D, context as tf.Tensor3D, size)];
        },
    );
    const head: UNetSegment = ([, , ...stack]) => {
      if (stack.length !== 1) throw new Error(`UNet: ${stack.length - 1} skip states left over at the output head`);
      return [tf.tidy(() => this.conv_out.forward(this.conv_norm_out.forward(stack[0] as tf.Tensor4D, "silu")))];
    };
    return [stem, ...down, mid, ...up, head];
  }
}
