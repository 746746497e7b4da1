import * as tf from "@tensorflow/tfjs";
import { UNet2DConditionModel } from "../../trainer/models/unet_2d_condition";

/** An SD1.x-shaped UNet small enough for unit tests: two levels, cross-attention on the top one. */
export const TINY_UNET_CONFIG: Record<string, unknown> = {
  in_channels: 4,
  out_channels: 4,
  block_out_channels: [16, 32],
  down_block_types: ["CrossAttnDownBlock2D", "DownBlock2D"],
  up_block_types: ["UpBlock2D", "CrossAttnUpBlock2D"],
  layers_per_block: 1,
  attention_head_dim: 4,
  cross_attention_dim: 16,
  norm_num_groups: 8,
};

/** The tiny UNet with seeded random weights scaled by fan-in (so activations stay O(1)). */
export function tinyUNet(seed = 0): UNet2DConditionModel {
  const unet = UNet2DConditionModel.fromConfig(TINY_UNET_CONFIG);
  unet.parameters().forEach((p, k) => {
    const fanIn = p.value.shape.length > 1 ? p.value.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    const init = tf.randomNormal(p.value.shape, 0, 1 / Math.sqrt(fanIn), "float32", seed * 1000 + k);
    p.value.assign(init);
    init.dispose();
  });
  return unet;
}
