import * as tf from "@tensorflow/tfjs";
import { convertLegacyAttentionKeys } from "../nn/attention";
import { Conv2d } from "../nn/conv2d";
import { Module } from "../nn/module";
import { configBoolean, configList, configNumber, requireSetting } from "./config_values";
import { loadComponent, type PretrainedOptions } from "./load_component";
import { Decoder } from "./vae/decoder";
import { Encoder } from "./vae/encoder";

/** The AutoencoderKL config keys this port reads. */
export interface AutoencoderKLConfig {
  in_channels: number;
  out_channels: number;
  block_out_channels: number[];
  layers_per_block: number;
  latent_channels: number;
  norm_num_groups: number;
  scaling_factor: number;
  use_quant_conv: boolean;
  use_post_quant_conv: boolean;
}

/** Reads a diffusers vae/config.json with AutoencoderKL's defaults, rejecting what the port does not implement. */
export function parseAutoencoderKLConfig(raw: Record<string, unknown>): AutoencoderKLConfig {
  const blockOut = configList<number>(raw, "block_out_channels", [64]);
  const down = configList<string>(raw, "down_block_types", ["DownEncoderBlock2D"]);
  const up = configList<string>(raw, "up_block_types", ["UpDecoderBlock2D"]);
  if (down.length !== blockOut.length || down.some((t) => t !== "DownEncoderBlock2D")) {
    throw new Error("config: down_block_types must be one DownEncoderBlock2D per block_out_channels entry");
  }
  if (up.length !== blockOut.length || up.some((t) => t !== "UpDecoderBlock2D")) {
    throw new Error("config: up_block_types must be one UpDecoderBlock2D per block_out_channels entry");
  }
  requireSetting(raw, "act_fn", ["silu", null]);
  requireSetting(raw, "mid_block_add_attention", [true, null]);
  return {
    in_channels: configNumber(raw, "in_channels", 3),
    out_channels: configNumber(raw, "out_channels", 3),
    block_out_channels: blockOut,
    layers_per_block: configNumber(raw, "layers_per_block", 1),
    latent_channels: configNumber(raw, "latent_channels", 4),
    norm_num_groups: configNumber(raw, "norm_num_groups", 32),
    scaling_factor: configNumber(raw, "scaling_factor", 0.18215),
    use_quant_conv: configBoolean(raw, "use_quant_conv", true),
    use_post_quant_conv: configBoolean(raw, "use_post_quant_conv", true),
  };
}

/** diffusers AutoencoderKL on NHWC images: encode to the latent Gaussian's mean and log-variance, decode latents to images. */
export class AutoencoderKL extends Module {
  encoder: Encoder;
  decoder: Decoder;
  quant_conv?: Conv2d;
  post_quant_conv?: Conv2d;

  constructor(readonly config: AutoencoderKLConfig) {
    super();
    const c = config;
    const latent = c.latent_channels;
    this.encoder = new Encoder(c.in_channels, latent, c.block_out_channels, c.layers_per_block, c.norm_num_groups);
    this.decoder = new Decoder(latent, c.out_channels, c.block_out_channels, c.layers_per_block, c.norm_num_groups);
    if (c.use_quant_conv) this.quant_conv = new Conv2d(2 * latent, 2 * latent, 1);
    if (c.use_post_quant_conv) this.post_quant_conv = new Conv2d(latent, latent, 1);
  }

  static fromConfig(config: Record<string, unknown>): AutoencoderKL {
    return new AutoencoderKL(parseAutoencoderKLConfig(config));
  }

  /** Loads `<pipelineDir>/<subfolder ?? "vae">`. */
  static fromPretrained(pipelineDir: string, opts: PretrainedOptions = {}): Promise<AutoencoderKL> {
    return loadComponent(pipelineDir, opts.subfolder ?? "vae", opts.variant, (config) => AutoencoderKL.fromConfig(config));
  }

  /** Also accepts the legacy attention names (query/key/value/proj_attn) of older checkpoints such as SD1.5's. */
  override loadStateDict(weights: Map<string, tf.Tensor>, opts: { allowUnexpected?: (key: string) => boolean } = {}): void {
    const converted = convertLegacyAttentionKeys(weights);
    try {
      super.loadStateDict(converted, opts);
    } finally {
      const originals = new Set(weights.values());
      converted.forEach((t) => originals.has(t) || t.dispose());
    }
  }

  /** x NHWC [N, H, W, in_channels] in [-1, 1]; returns NHWC [N, H/f, W/f, latent_channels] each, logvar clamped to [-30, 20]. */
  encode(x: tf.Tensor4D): { mean: tf.Tensor4D; logvar: tf.Tensor4D } {
    return tf.tidy(() => {
      const h = this.encoder.forward(x);
      const moments = this.quant_conv ? this.quant_conv.forward(h) : h;
      const [mean, logvar] = tf.split(moments, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
      return { mean, logvar: tf.clipByValue(logvar, -30, 20) };
    });
  }

  /** z NHWC latents, unscaled (divide by scaling_factor first when they come from the UNet); returns NHWC images. */
  decode(z: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.decoder.forward(this.post_quant_conv ? this.post_quant_conv.forward(z) : z));
  }
}
