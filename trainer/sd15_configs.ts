/**
 * Stable Diffusion 1.5's component configs at their real sizes (runwayml/stable-diffusion-v1-5's
 * unet, vae and text_encoder config.json values that set the architecture), for a full-size
 * pipeline of random weights: `npm run make-tiny -- --out DIR --config sd15`.
 */

/** UNet2DConditionModel, 859,520,964 parameters (the PyTorch anchor's ../shared/anchor/sd15_unet.json). */
export const SD15_UNET_CONFIG = {
  act_fn: "silu",
  attention_head_dim: 8,
  block_out_channels: [320, 640, 1280, 1280],
  center_input_sample: false,
  cross_attention_dim: 768,
  down_block_types: ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
  downsample_padding: 1,
  flip_sin_to_cos: true,
  freq_shift: 0,
  in_channels: 4,
  layers_per_block: 2,
  mid_block_scale_factor: 1,
  norm_eps: 1e-5,
  norm_num_groups: 32,
  out_channels: 4,
  sample_size: 64,
  up_block_types: ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
};

/** AutoencoderKL, 83,653,863 parameters. */
export const SD15_VAE_CONFIG = {
  act_fn: "silu",
  block_out_channels: [128, 256, 512, 512],
  down_block_types: Array(4).fill("DownEncoderBlock2D"),
  in_channels: 3,
  latent_channels: 4,
  layers_per_block: 2,
  norm_num_groups: 32,
  out_channels: 3,
  sample_size: 512,
  scaling_factor: 0.18215,
  up_block_types: Array(4).fill("UpDecoderBlock2D"),
};

/** CLIP ViT-L/14's text tower (123,060,480 parameters with CLIP's 49,408-token vocabulary); vocabulary and special ids come from the tokenizer. */
export const SD15_TEXT_ENCODER_CONFIG = {
  architectures: ["CLIPTextModel"],
  attention_dropout: 0.0,
  dropout: 0.0,
  hidden_act: "quick_gelu",
  hidden_size: 768,
  initializer_factor: 1.0,
  initializer_range: 0.02,
  intermediate_size: 3072,
  layer_norm_eps: 1e-5,
  max_position_embeddings: 77,
  model_type: "clip_text_model",
  num_attention_heads: 12,
  num_hidden_layers: 12,
  projection_dim: 768,
  torch_dtype: "float32",
};
