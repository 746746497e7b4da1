import * as tf from "@tensorflow/tfjs";
import { MAX_FUSED_HEAD_DIM, webGpuAttention } from "../kernels/webgpu/attention";
import { isWebGpu } from "../kernels/webgpu/run_wgsl";
import { GroupNorm } from "./group_norm";
import { Linear } from "./linear";
import { Module } from "./module";

/**
 * How the heads are computed. "batched" transposes to [N*heads, L, d] and runs
 * one batched matMul per product; "per-head" slices each head out and runs
 * small matMuls. Same math. With the wasm BatchMatMul kernel from
 * trainer/kernels, batched measured faster at SD1.5 attention shapes
 * (forward 1.5-4x, forward+backward up to 1.9x) and equal on tiny models.
 */
export type AttentionStrategy = "per-head" | "batched";
let strategy: AttentionStrategy = "batched";

export function setAttentionStrategy(s: AttentionStrategy): void {
  strategy = s;
}

/**
 * softmax(q k^T / sqrt(d)) v for q [N, Lq, heads*d] and k, v [N, Lk, heads*d]; returns [N, Lq, heads*d].
 * On webgpu one flash-style kernel (three dispatches with the backward, no score matrix) for
 * heads up to MAX_FUSED_HEAD_DIM wide; elsewhere tf ops.
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  if (isWebGpu() && q.shape[2] / heads <= MAX_FUSED_HEAD_DIM) return webGpuAttention(q, k, v, heads);
  return multiHeadAttentionOps(q, k, v, heads);
}

/** multiHeadAttention as tf ops, by the strategy set with setAttentionStrategy. */
export function multiHeadAttentionOps(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, lq, inner] = q.shape;
    const lk = k.shape[1];
    const d = inner / heads;
    // Scaling q costs Lq*d multiplies instead of Lq*Lk on the scores.
    const qs = tf.mul(q, 1 / Math.sqrt(d)) as tf.Tensor3D;
    if (strategy === "batched") {
      // [N, L, heads*d] -> [N*heads, L, d]; keys go straight to [N*heads, d, L] so no transpose flag is needed.
      const split = (t: tf.Tensor3D, l: number, perm: number[]) =>
        tf.transpose(t.reshape([n, l, heads, d]), perm).reshape([n * heads, ...(perm[2] === 1 ? [l, d] : [d, l])]) as tf.Tensor3D;
      const probs = tf.softmax(tf.matMul(split(qs, lq, [0, 2, 1, 3]), split(k, lk, [0, 2, 3, 1])));
      const out = tf.matMul(probs, split(v, lk, [0, 2, 1, 3]));
      return tf.transpose(out.reshape([n, heads, lq, d]), [0, 2, 1, 3]).reshape([n, lq, inner]) as tf.Tensor3D;
    }
    if (heads === 1) return tf.matMul(tf.softmax(tf.matMul(qs, k, false, true)), v);
    const head = (t: tf.Tensor3D, h: number) => tf.slice(t, [0, 0, h * d], [-1, -1, d]);
    const outs: tf.Tensor3D[] = [];
    for (let h = 0; h < heads; h++) {
      const probs = tf.softmax(tf.matMul(head(qs, h), head(k, h), false, true));
      outs.push(tf.matMul(probs, head(v, h)));
    }
    return tf.concat(outs, 2);
  });
}

export interface AttentionOptions {
  queryDim: number;
  /** Width of the context for cross attention; self attention when absent. */
  crossAttentionDim?: number;
  heads: number;
  dimHead: number;
  /** Bias on to_q/to_k/to_v (false in the UNet, true in the VAE). */
  bias?: boolean;
  /** A GroupNorm before the projections plus a residual connection: the VAE's spatial attention. */
  normNumGroups?: number;
  eps?: number;
}

/** diffusers Attention with the default processor: to_q/to_k/to_v, multi-head softmax attention, to_out.0. */
export class Attention extends Module {
  group_norm?: GroupNorm;
  to_q: Linear;
  to_k: Linear;
  to_v: Linear;
  /** to_out.1 is torch's parameterless Dropout. */
  to_out: [Linear];
  readonly heads: number;

  constructor(opts: AttentionOptions) {
    super();
    const inner = opts.heads * opts.dimHead;
    const contextDim = opts.crossAttentionDim ?? opts.queryDim;
    const bias = opts.bias ?? false;
    this.heads = opts.heads;
    if (opts.normNumGroups !== undefined) this.group_norm = new GroupNorm(opts.normNumGroups, opts.queryDim, opts.eps);
    this.to_q = new Linear(opts.queryDim, inner, bias);
    this.to_k = new Linear(contextDim, inner, bias);
    this.to_v = new Linear(contextDim, inner, bias);
    this.to_out = [new Linear(inner, opts.queryDim, true)];
  }

  /** hidden [N, L, queryDim], context [N, Lk, crossAttentionDim] (defaults to hidden). */
  forward(hidden: tf.Tensor3D, context?: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const ctx = context ?? hidden;
      const q = this.to_q.forward(hidden) as tf.Tensor3D;
      const k = this.to_k.forward(ctx) as tf.Tensor3D;
      const v = this.to_v.forward(ctx) as tf.Tensor3D;
      return this.to_out[0].forward(multiHeadAttention(q, k, v, this.heads)) as tf.Tensor3D;
    });
  }

  /** The VAE form: NHWC in and out, group norm first, attention over all H*W positions, plus the input. */
  forwardSpatial(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const normed = this.group_norm ? this.group_norm.forward(x) : x;
      const out = this.forward(normed.reshape([n, h * w, c]) as tf.Tensor3D);
      return tf.add(out.reshape([n, h, w, c]), x) as tf.Tensor4D;
    });
  }
}

const LEGACY_ATTENTION_NAMES: Record<string, string> = {
  query: "to_q",
  key: "to_k",
  value: "to_v",
  proj_attn: "to_out.0",
};

/**
 * Renames pre-0.14 diffusers VAE attention weights (query/key/value/proj_attn,
 * as in the original SD1.5 checkpoint) to to_q/to_k/to_v/to_out.0, squeezing
 * 1x1-conv-shaped [C, C, 1, 1] weights to Linear's [C, C]. Other keys pass through.
 * The returned map shares tensors with the input except the squeezed ones (new tensors).
 */
export function convertLegacyAttentionKeys(weights: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of weights) {
    const m = /^(.*\.attentions\.\d+)\.(query|key|value|proj_attn)\.(weight|bias)$/.exec(key);
    if (!m) {
      out.set(key, t);
      continue;
    }
    const [, prefix, legacy, kind] = m;
    const squeezed = kind === "weight" && t.rank === 4 ? t.reshape(t.shape.slice(0, 2)) : t;
    out.set(`${prefix}.${LEGACY_ATTENTION_NAMES[legacy]}.${kind}`, squeezed);
  }
  return out;
}
