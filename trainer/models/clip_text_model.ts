import * as tf from "@tensorflow/tfjs";
import { gelu } from "../nn/activations";
import { Embedding } from "../nn/embedding";
import { LayerNorm } from "../nn/layer_norm";
import { Linear } from "../nn/linear";
import { Module } from "../nn/module";
import { configNumber, configString } from "./config_values";
import { loadComponent } from "./load_component";

/**
 * transformers' CLIPTextModel (the text tower of CLIP), returning last_hidden_state:
 * token + position embeddings, pre-LayerNorm encoder layers with causal self-attention,
 * then final_layer_norm. Property names mirror the checkpoint keys
 * (text_model.encoder.layers.0.self_attn.q_proj.weight, ...).
 */

export interface CLIPTextConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  max_position_embeddings: number;
  layer_norm_eps: number;
  hidden_act: string;
}

/** Reads config.json with transformers' CLIPTextConfig defaults for absent keys. */
function parseConfig(raw: Record<string, unknown>): CLIPTextConfig {
  const cfg: CLIPTextConfig = {
    vocab_size: configNumber(raw, "vocab_size", 49408),
    hidden_size: configNumber(raw, "hidden_size", 512),
    intermediate_size: configNumber(raw, "intermediate_size", 2048),
    num_attention_heads: configNumber(raw, "num_attention_heads", 8),
    num_hidden_layers: configNumber(raw, "num_hidden_layers", 12),
    max_position_embeddings: configNumber(raw, "max_position_embeddings", 77),
    layer_norm_eps: configNumber(raw, "layer_norm_eps", 1e-5),
    hidden_act: configString(raw, "hidden_act", "quick_gelu"),
  };
  if (cfg.hidden_size % cfg.num_attention_heads !== 0) {
    throw new Error(`text encoder config: hidden_size ${cfg.hidden_size} is not divisible by ${cfg.num_attention_heads} heads`);
  }
  return cfg;
}

/** transformers' ACT2FN entries that CLIP text configs use (SD1.x: quick_gelu, SD2.x: gelu). */
function activation(name: string): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case "quick_gelu":
      return (x) => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
    case "gelu":
      return gelu;
    default:
      throw new Error(`text encoder config: unsupported hidden_act ${name}`);
  }
}

class CLIPTextEmbeddings extends Module {
  token_embedding: Embedding;
  position_embedding: Embedding;

  constructor(cfg: CLIPTextConfig) {
    super();
    this.token_embedding = new Embedding(cfg.vocab_size, cfg.hidden_size);
    this.position_embedding = new Embedding(cfg.max_position_embeddings, cfg.hidden_size);
  }

  /** ids [N, L] -> [N, L, D], positions 0..L-1. */
  forward(inputIds: tf.Tensor2D): tf.Tensor3D {
    const positions = tf.range(0, inputIds.shape[1], 1, "int32");
    return tf.add(this.token_embedding.forward(inputIds), this.position_embedding.forward(positions)) as tf.Tensor3D;
  }
}

class CLIPAttention extends Module {
  q_proj: Linear;
  k_proj: Linear;
  v_proj: Linear;
  out_proj: Linear;
  private readonly heads: number;
  private readonly headDim: number;

  constructor(cfg: CLIPTextConfig) {
    super();
    const d = cfg.hidden_size;
    this.q_proj = new Linear(d, d);
    this.k_proj = new Linear(d, d);
    this.v_proj = new Linear(d, d);
    this.out_proj = new Linear(d, d);
    this.heads = cfg.num_attention_heads;
    this.headDim = d / cfg.num_attention_heads;
  }

  /** [N, L, D] -> [N, heads, L, headDim] */
  private splitHeads(x: tf.Tensor): tf.Tensor4D {
    const [n, l] = x.shape;
    return tf.transpose(tf.reshape(x, [n, l, this.heads, this.headDim]), [0, 2, 1, 3]);
  }

  /** Scaled dot-product self-attention; `mask` is added to the scores ([L, L], 0 or very negative). */
  forward(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    const [n, l, d] = x.shape;
    const q = this.splitHeads(tf.mul(this.q_proj.forward(x), this.headDim ** -0.5));
    const k = this.splitHeads(this.k_proj.forward(x));
    const v = this.splitHeads(this.v_proj.forward(x));
    const probs = tf.softmax(tf.add(tf.matMul(q, k, false, true), mask));
    const merged = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [n, l, d]);
    return this.out_proj.forward(merged) as tf.Tensor3D;
  }
}

class CLIPMLP extends Module {
  fc1: Linear;
  fc2: Linear;
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(cfg: CLIPTextConfig) {
    super();
    this.fc1 = new Linear(cfg.hidden_size, cfg.intermediate_size);
    this.fc2 = new Linear(cfg.intermediate_size, cfg.hidden_size);
    this.act = activation(cfg.hidden_act);
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    return this.fc2.forward(this.act(this.fc1.forward(x))) as tf.Tensor3D;
  }
}

class CLIPEncoderLayer extends Module {
  layer_norm1: LayerNorm;
  self_attn: CLIPAttention;
  layer_norm2: LayerNorm;
  mlp: CLIPMLP;

  constructor(cfg: CLIPTextConfig) {
    super();
    this.layer_norm1 = new LayerNorm(cfg.hidden_size, cfg.layer_norm_eps);
    this.self_attn = new CLIPAttention(cfg);
    this.layer_norm2 = new LayerNorm(cfg.hidden_size, cfg.layer_norm_eps);
    this.mlp = new CLIPMLP(cfg);
  }

  /** Pre-LN residual blocks: x + attn(ln1(x)), then x + mlp(ln2(x)). */
  forward(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    const h = tf.add(x, this.self_attn.forward(this.layer_norm1.forward(x) as tf.Tensor3D, mask)) as tf.Tensor3D;
    return tf.add(h, this.mlp.forward(this.layer_norm2.forward(h) as tf.Tensor3D));
  }
}

class CLIPEncoder extends Module {
  layers: CLIPEncoderLayer[];

  constructor(cfg: CLIPTextConfig) {
    super();
    this.layers = Array.from({ length: cfg.num_hidden_layers }, () => new CLIPEncoderLayer(cfg));
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    return this.layers.reduce((h, layer) => layer.forward(h, mask), x);
  }
}

/** Additive causal mask [L, L]: position i attends to j <= i; later ones get float32's lowest value, as in transformers. */
function causalMask(length: number): tf.Tensor2D {
  const lower = tf.linalg.bandPart(tf.ones([length, length]), -1, 0);
  return tf.mul(tf.sub(1, lower), -3.4028234663852886e38) as tf.Tensor2D;
}

class CLIPTextTransformer extends Module {
  embeddings: CLIPTextEmbeddings;
  encoder: CLIPEncoder;
  final_layer_norm: LayerNorm;

  constructor(cfg: CLIPTextConfig) {
    super();
    this.embeddings = new CLIPTextEmbeddings(cfg);
    this.encoder = new CLIPEncoder(cfg);
    this.final_layer_norm = new LayerNorm(cfg.hidden_size, cfg.layer_norm_eps);
  }

  forward(inputIds: tf.Tensor2D): tf.Tensor3D {
    const h = this.encoder.forward(this.embeddings.forward(inputIds), causalMask(inputIds.shape[1]));
    return this.final_layer_norm.forward(h) as tf.Tensor3D;
  }
}

export class CLIPTextModel extends Module {
  text_model: CLIPTextTransformer;

  constructor(readonly config: CLIPTextConfig) {
    super();
    this.text_model = new CLIPTextTransformer(config);
  }

  static fromConfig(raw: Record<string, unknown>): CLIPTextModel {
    return new CLIPTextModel(parseConfig(raw));
  }

  /** PIPELINE/text_encoder: config.json and model[.variant].safetensors. */
  static async fromPretrained(pipelineDir: string, opts: { variant?: string } = {}): Promise<CLIPTextModel> {
    // position_ids is a non-persistent buffer that older transformers versions still saved.
    const ignorePositionIds = (key: string): boolean => key.endsWith("embeddings.position_ids");
    return loadComponent(pipelineDir, "text_encoder", opts.variant, CLIPTextModel.fromConfig, (model, weights) =>
      model.loadStateDict(weights, { allowUnexpected: ignorePositionIds }),
    );
  }

  /** input_ids int32 [N, L] (L <= max_position_embeddings) -> last_hidden_state [N, L, hidden_size]. */
  forward(inputIds: tf.Tensor2D): tf.Tensor3D {
    const length = inputIds.shape[1];
    if (length > this.config.max_position_embeddings) {
      throw new Error(`text encoder: sequence length ${length} exceeds max_position_embeddings ${this.config.max_position_embeddings}`);
    }
    return tf.tidy(() => this.text_model.forward(inputIds.toInt()));
  }
}
