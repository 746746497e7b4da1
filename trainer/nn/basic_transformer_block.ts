import * as tf from "@tensorflow/tfjs";
import { Attention } from "./attention";
import { FeedForward } from "./feed_forward";
import { LayerNorm } from "./layer_norm";
import { Module } from "./module";

/**
 * diffusers BasicTransformerBlock as SD uses it (layer_norm, no attention bias):
 * pre-norm self attention, pre-norm cross attention on the text states, pre-norm
 * GEGLU feed-forward, each added back to the residual stream.
 */
export class BasicTransformerBlock extends Module {
  norm1: LayerNorm;
  attn1: Attention;
  norm2: LayerNorm;
  attn2: Attention;
  norm3: LayerNorm;
  ff: FeedForward;

  constructor(dim: number, heads: number, dimHead: number, crossAttentionDim: number) {
    super();
    this.norm1 = new LayerNorm(dim);
    this.attn1 = new Attention({ queryDim: dim, heads, dimHead });
    this.norm2 = new LayerNorm(dim);
    this.attn2 = new Attention({ queryDim: dim, crossAttentionDim, heads, dimHead });
    this.norm3 = new LayerNorm(dim);
    this.ff = new FeedForward(dim);
  }

  /** x [N, L, dim], context [N, Lk, crossAttentionDim]. */
  forward(x: tf.Tensor3D, context: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      let h = tf.add(this.attn1.forward(this.norm1.forward(x) as tf.Tensor3D), x);
      h = tf.add(this.attn2.forward(this.norm2.forward(h) as tf.Tensor3D, context), h);
      return tf.add(this.ff.forward(this.norm3.forward(h)), h) as tf.Tensor3D;
    });
  }
}
