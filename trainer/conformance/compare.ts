import * as tf from "@tensorflow/tfjs";
import type { CaseResult } from "./types";

/**
 * The worst ratio |got - want| / (atol + rtol * |want|) over all elements;
 * the comparison passes when it is <= 1. A shape mismatch or a NaN is infinitely bad.
 */
export async function allClose(got: tf.Tensor, want: tf.Tensor, atol: number, rtol: number): Promise<CaseResult> {
  const sameShape = got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
  if (!sameShape) return { worst: Infinity, detail: `shape [${got.shape}] but want [${want.shape}]` };
  const [g, w] = await Promise.all([got.data(), want.data()]);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < w.length; i++) {
    const diff = Math.abs(g[i] - w[i]);
    // diff === 0 passes even at zero tolerance (exact kinds such as tokenize).
    const ratio = diff === 0 ? 0 : Number.isNaN(diff) ? Infinity : diff / (atol + rtol * Math.abs(w[i]));
    if (ratio > worst || worstAt < 0) {
      worst = ratio;
      worstAt = i;
    }
  }
  const detail = worstAt < 0 ? "empty" : `worst at flat index ${worstAt}: got ${g[worstAt]} want ${w[worstAt]}`;
  return { worst, detail };
}
