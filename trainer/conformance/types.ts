import type * as tf from "@tensorflow/tfjs";

/** One entry of a golden set's cases.json. */
export interface GoldenCase {
  name: string;
  kind: string;
  inputs: Record<string, string | string[]>;
  outputs: Record<string, string>;
  params: Record<string, unknown>;
  atol: number;
  rtol: number;
  delta_rtol?: number;
}

/** A loaded golden set: its directory, the pipeline directory, and lazily read tensors. */
export interface GoldenSet {
  dir: string;
  modelDir: string;
  tensor(name: string): tf.Tensor /* torch layout, as stored */;
}

export interface CaseResult {
  worst: number /* worst |got-want| / (atol + rtol*|want|) or delta ratio / delta_rtol; pass iff <= 1 */;
  detail?: string;
}

export type CaseRunner = (c: GoldenCase, set: GoldenSet) => Promise<CaseResult>;
