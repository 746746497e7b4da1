import * as tf from "@tensorflow/tfjs";

/**
 * The first value of what `fn` computes (tidied), read asynchronously: WebGPU in Node has no
 * synchronous read, so the trainer's tests read like this on every backend.
 */
export async function scalarOf(fn: () => tf.Tensor): Promise<number> {
  const t = tf.tidy(fn);
  try {
    return (await t.data())[0]!;
  } finally {
    t.dispose();
  }
}
