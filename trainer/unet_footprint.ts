import type { UNet2DConditionConfig } from "./models/unet_2d_condition";

/**
 * Parameter count of a UNet2DConditionModel computed from its config alone, so
 * the footprint of a model too large for a backend (SD1.5 on wasm) can be
 * reported without allocating it. bench.ts checks it against a built model.
 */

const linear = (inF: number, outF: number, bias = true): number => inF * outF + (bias ? outF : 0);
const conv = (inC: number, outC: number, k: number): number => k * k * inC * outC + outC;
const norm = (c: number): number => 2 * c;

function resnet(inC: number, outC: number, tembC: number): number {
  const shortcut = inC !== outC ? conv(inC, outC, 1) : 0;
  return norm(inC) + conv(inC, outC, 3) + linear(tembC, outC) + norm(outC) + conv(outC, outC, 3) + shortcut;
}

/** Transformer2DModel: norm, proj_in, `layers` BasicTransformerBlocks (self-attn, cross-attn, GEGLU FF), proj_out. */
function transformer(c: number, crossDim: number, layers: number): number {
  const selfAttn = 3 * linear(c, c, false) + linear(c, c);
  const crossAttn = linear(c, c, false) + 2 * linear(crossDim, c, false) + linear(c, c);
  const feedForward = linear(c, 8 * c) + linear(4 * c, c);
  const block = 3 * norm(c) + selfAttn + crossAttn + feedForward;
  // proj_in / proj_out hold c*c + c weights whether 1x1 convs or linears.
  return norm(c) + 2 * linear(c, c) + layers * block;
}

export function unetParameterCount(cfg: UNet2DConditionConfig): number {
  const ch = cfg.block_out_channels;
  const n = ch.length;
  const temb = 4 * ch[0]!;
  let total = conv(cfg.in_channels, ch[0]!, cfg.conv_in_kernel) + linear(ch[0]!, temb) + linear(temb, temb);
  let inC = ch[0]!;
  cfg.down_block_types.forEach((type, i) => {
    const outC = ch[i]!;
    for (let j = 0; j < cfg.layers_per_block[i]!; j++) {
      total += resnet(j === 0 ? inC : outC, outC, temb);
      if (type === "CrossAttnDownBlock2D") total += transformer(outC, cfg.cross_attention_dim[i]!, cfg.transformer_layers_per_block[i]!);
    }
    if (i < n - 1) total += conv(outC, outC, 3);
    inC = outC;
  });
  const last = ch[n - 1]!;
  total += 2 * resnet(last, last, temb) + transformer(last, cfg.cross_attention_dim[n - 1]!, cfg.transformer_layers_per_block[n - 1]!);
  const reversed = [...ch].reverse();
  const reversedLayers = [...cfg.layers_per_block].reverse();
  const reversedCross = [...cfg.cross_attention_dim].reverse();
  let prevOut = reversed[0]!;
  cfg.up_block_types.forEach((type, i) => {
    const outC = reversed[i]!;
    const skipIn = reversed[Math.min(i + 1, n - 1)]!;
    const layers = reversedLayers[i]! + 1;
    for (let j = 0; j < layers; j++) {
      const skip = j === layers - 1 ? skipIn : outC;
      total += resnet((j === 0 ? prevOut : outC) + skip, outC, temb);
      if (type === "CrossAttnUpBlock2D") total += transformer(outC, reversedCross[i]!, cfg.reverse_transformer_layers_per_block[i]!);
    }
    if (i < n - 1) total += conv(outC, outC, 3);
    prevOut = outC;
  });
  return total + norm(ch[0]!) + conv(ch[0]!, cfg.out_channels, cfg.conv_out_kernel);
}

/** float32 bytes a full fine-tune keeps per parameter set: weights, gradients, AdamW's two moments, and the EMA copy. */
export function trainingStateBytes(params: number): { weights: number; gradients: number; adamw: number; ema: number; total: number } {
  const copy = 4 * params;
  return { weights: copy, gradients: copy, adamw: 2 * copy, ema: copy, total: 5 * copy };
}
