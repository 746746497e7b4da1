/**
 * Gradients of a loss over a model split into segments (UNet2DConditionModel.segments()).
 * `segmentGradients(segments, inputs, head, params)` keeps only the tensors passed between segments
 * during the forward pass, then recomputes each segment in reverse and backpropagates through it alone:
 * peak memory holds one segment's activations instead of the whole network's, for one extra forward.
 * With a single segment (`[chainSegments(segments)]`) it is plain full backprop.
 */
import * as tf from "@tensorflow/tfjs";
import type { Parameter } from "../nn/module";
import { valueAndGradients, type ValueAndGradients } from "./backprop";

/** A slice of a forward pass: a flat list of tensors in, a flat list out. */
export type Segment = (inputs: tf.Tensor[]) => tf.Tensor[];

/** The scalar loss from the last segment's outputs. */
export type LossHead = (outputs: tf.Tensor[]) => tf.Scalar;

export interface LossAndGradients {
  loss: tf.Scalar;
  /** Gradients in tfjs layout, keyed like the parameters; parameters the loss does not reach are absent. */
  grads: Map<string, tf.Tensor>;
}

/** The segments run one after another, as one segment. */
export function chainSegments(segments: Segment[]): Segment {
  return (inputs) => segments.reduce((xs, segment) => segment(xs), inputs);
}

/**
 * Segment boundaries that need no gradient: the first segment's inputs, integer tensors,
 * and tensors a segment hands on unchanged (the same object) from a constant input.
 */
function constantFlags(outputs: tf.Tensor[], inputs: tf.Tensor[], inputConstant: boolean[]): boolean[] {
  const constantIds = new Set(inputs.filter((_, j) => inputConstant[j]).map((t) => t.id));
  return outputs.map((t) => t.dtype !== "float32" || constantIds.has(t.id));
}

/** Positions whose gradient is wanted: non-constant, and only the first of several copies of one tensor. */
function gradientPositions(tensors: tf.Tensor[], constant: boolean[]): number[] {
  const seen = new Set<number>();
  const positions: number[] = [];
  tensors.forEach((t, j) => {
    if (constant[j] || seen.has(t.id)) return;
    seen.add(t.id);
    positions.push(j);
  });
  return positions;
}

function flatConcat(tensors: tf.Tensor[]): tf.Tensor1D {
  return tf.concat(tensors.map((t) => t.reshape([-1]))) as tf.Tensor1D;
}

function accumulateInto(sums: Map<string, tf.Tensor>, name: string, g: tf.Tensor): void {
  const prev = sums.get(name);
  if (!prev) {
    sums.set(name, g);
    return;
  }
  sums.set(name, tf.add(prev, g));
  prev.dispose();
  g.dispose();
}

export function segmentGradients(
  segments: Segment[],
  inputs: tf.Tensor[],
  head: LossHead,
  params: Array<[string, Parameter]>,
): LossAndGradients {
  const n = segments.length;
  const trainable = params.filter(([, p]) => p.value.trainable);
  const variables = trainable.map(([, p]) => p.value);

  // Forward without a tape: keep only what flows between segments.
  const boundaries: tf.Tensor[][] = [inputs];
  const constant: boolean[][] = [inputs.map(() => true)];
  for (let i = 0; i < n - 1; i++) {
    const outs = tf.tidy(() => segments[i](boundaries[i]));
    constant.push(constantFlags(outs, boundaries[i], constant[i]));
    boundaries.push(outs);
  }

  const grads = new Map<string, tf.Tensor>();
  let loss: tf.Scalar | null = null;
  // Gradient of the loss with respect to each output of segment i (null: zero).
  let upstream: Array<tf.Tensor | null> = [];
  for (let i = n - 1; i >= 0; i--) {
    const ins = boundaries[i];
    const wanted = gradientPositions(ins, constant[i]);
    const xs = [...wanted.map((j) => ins[j]), ...variables];
    let result: ValueAndGradients;
    if (i === n - 1) {
      result = valueAndGradients(() => head(segments[i](ins)), xs);
      loss = result.value as tf.Scalar;
    } else {
      // Backprop the upstream gradients of the differentiable outputs through this segment alone.
      const outputs = gradientPositions(boundaries[i + 1], constant[i + 1]);
      const dy = tf.tidy(() =>
        flatConcat(outputs.map((j) => upstream[j] ?? tf.zerosLike(boundaries[i + 1][j]))),
      );
      const recompute = (): tf.Tensor1D => {
        const outs = segments[i](ins);
        return flatConcat(outputs.map((j) => outs[j]));
      };
      result = valueAndGradients(recompute, xs, dy);
      dy.dispose();
      result.value.dispose();
    }
    for (const u of upstream) u?.dispose();
    upstream = ins.map(() => null);
    wanted.forEach((j, k) => (upstream[j] = result.grads[k] ?? null));
    trainable.forEach(([name], k) => {
      const g = result.grads[wanted.length + k];
      if (g) accumulateInto(grads, name, g);
    });
  }
  for (const u of upstream) u?.dispose();

  // Free the boundaries this function created (each once; the caller's inputs stay).
  const keep = new Set(inputs.map((t) => t.id));
  const created = new Map<number, tf.Tensor>();
  for (const t of boundaries.slice(1).flat()) if (!keep.has(t.id)) created.set(t.id, t);
  for (const t of created.values()) t.dispose();
  return { loss: loss!, grads };
}
