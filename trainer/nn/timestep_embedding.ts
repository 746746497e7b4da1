import * as tf from "@tensorflow/tfjs";
import { silu } from "./activations";
import { Linear } from "./linear";
import { Module } from "./module";

/**
 * The sinusoid frequencies of diffusers get_timestep_embedding, rounded to
 * float32 at the same steps torch takes so the large phases t*f match:
 * f_i = exp(-ln(10000) * i / (half - shift)).
 */
function sinusoidFrequencies(half: number, shift: number): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = f(Math.exp(f(f(-Math.log(10000) * i) / (half - shift))));
  return out;
}

/**
 * diffusers Timesteps: [N] float timesteps to [N, dim] sinusoids, [sin | cos]
 * or, with flipSinToCos, [cos | sin]; odd dims get a zero column.
 */
export function timestepSinusoids(timesteps: tf.Tensor1D, dim: number, flipSinToCos: boolean, freqShift: number): tf.Tensor2D {
  return tf.tidy(() => {
    const half = Math.floor(dim / 2);
    const phases = tf.mul(timesteps.reshape([-1, 1]), tf.tensor2d(sinusoidFrequencies(half, freqShift), [1, half]));
    const parts = flipSinToCos ? [tf.cos(phases), tf.sin(phases)] : [tf.sin(phases), tf.cos(phases)];
    const emb = tf.concat(parts, 1) as tf.Tensor2D;
    return dim % 2 === 1 ? tf.pad(emb, [[0, 0], [0, 1]]) : emb;
  });
}

/** diffusers TimestepEmbedding: linear_1, SiLU, linear_2. */
export class TimestepEmbedding extends Module {
  linear_1: Linear;
  linear_2: Linear;

  constructor(inChannels: number, timeEmbedDim: number) {
    super();
    this.linear_1 = new Linear(inChannels, timeEmbedDim);
    this.linear_2 = new Linear(timeEmbedDim, timeEmbedDim);
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.linear_2.forward(silu(this.linear_1.forward(x))) as tf.Tensor2D);
  }
}
