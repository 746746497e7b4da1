/**
 * Reverse-mode gradients over tfjs's tape that free memory as the backward pass goes, as PyTorch's
 * autograd does. tfjs's own `engine.gradients` keeps every tensor the forward saved for its
 * gradient, and every intermediate gradient, until the whole backward pass ends: its peak is all
 * activations plus as much again in gradients. Here a node's saved tensors and the gradients of its
 * outputs are disposed as soon as its own backward has run, so the peak is the activations still
 * waiting for their backward plus the parameter gradients made so far.
 */
import * as tf from "@tensorflow/tfjs";
import type { TapeNode } from "@tensorflow/tfjs-core/dist/tape";

/** The parts of tfjs's engine the tape lives in (public at run time, private or internal in its types). */
interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, fn: () => T): T;
}

export interface ValueAndGradients {
  value: tf.Tensor;
  /** One per x, undefined where `f`'s value does not depend on it. */
  grads: Array<tf.Tensor | undefined>;
}

/**
 * The value of `f()` and its gradients with respect to `xs`, weighted by `dy` (ones when absent).
 * Same contract as tfjs's `engine.gradients(f, xs, dy, true)`: the caller owns `dy`, the value and
 * the gradients.
 */
export function valueAndGradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): ValueAndGradients {
  if (dy && dy.dtype !== "float32") throw new Error(`dy must be float32, not ${dy.dtype}`);
  const engine = tf.engine() as unknown as TapeEngine;
  let y: tf.Tensor;
  engine.startTape();
  try {
    y = engine.tidy("forward", f);
  } finally {
    engine.endTape();
  }
  const tape = engine.state.activeTape ?? [];
  const outermost = engine.state.gradientDepth === 0;
  const nodes = nodesFromXsToY(tape, xs, y);
  // Saved tensors of nodes off the path from xs to y are never read: free them now.
  if (outermost) {
    const onPath = new Set(nodes.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) disposeAll(node.saved);
  }
  return engine.tidy("backward", () => {
    const gradOf = new GradientMap();
    gradOf.set(y, dy ?? tf.onesLike(y), dy === undefined);
    const keep = new Set(xs.map((x) => x.id));
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      if (!node.gradient) throw new Error(`no gradient is registered for the kernel ${node.kernelName}`);
      const inputGrads = node.gradient(node.outputs.map((o) => gradOf.get(o) ?? null) as tf.Tensor[]);
      for (const [name, x] of Object.entries(node.inputs)) {
        const gradFn = inputGrads[name];
        if (!gradFn) throw new Error(`${node.kernelName}'s gradient gives none for its input ${name}`);
        const dx = engine.tidy(`${node.kernelName} backward`, gradFn);
        if (dx.dtype !== "float32" || !tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(`${node.kernelName}'s gradient for ${name} is ${dx.dtype} [${dx.shape}]; it must be float32 [${x.shape}]`);
        }
        gradOf.accumulate(x, dx);
      }
      // This node was the last reader of its outputs' gradients and of what it saved.
      for (const o of node.outputs) if (!keep.has(o.id)) gradOf.release(o);
      if (outermost) disposeAll(node.saved);
    }
    if (outermost) {
      for (const node of tape) disposeAll(node.saved);
      engine.state.activeTape = null;
    }
    return { value: y, grads: xs.map((x) => gradOf.get(x)) };
  });
}

/**
 * The gradient so far of each tensor, by id. One gradient tensor can stand for several tensors
 * (a kernel whose gradient passes dy through), so a tensor is disposed only when no entry holds it.
 */
class GradientMap {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();
  /** Tensors this map must not dispose (the caller's dy). */
  private readonly borrowed = new Set<tf.Tensor>();

  get(t: tf.Tensor): tf.Tensor | undefined {
    return this.byId.get(t.id);
  }

  set(t: tf.Tensor, grad: tf.Tensor, owned = true): void {
    this.byId.set(t.id, grad);
    this.holders.set(grad, (this.holders.get(grad) ?? 0) + 1);
    if (!owned) this.borrowed.add(grad);
  }

  accumulate(t: tf.Tensor, grad: tf.Tensor): void {
    const prev = this.get(t);
    if (!prev) return this.set(t, grad);
    const sum = tf.add(prev, grad);
    this.release(t);
    this.set(t, sum);
    this.drop(grad);
  }

  release(t: tf.Tensor): void {
    const grad = this.byId.get(t.id);
    if (!grad) return;
    this.byId.delete(t.id);
    const n = (this.holders.get(grad) ?? 1) - 1;
    if (n > 0) this.holders.set(grad, n);
    else {
      this.holders.delete(grad);
      this.drop(grad);
    }
  }

  /** Disposes a gradient no entry holds, unless it is the caller's. */
  private drop(grad: tf.Tensor): void {
    if (!this.holders.has(grad) && !this.borrowed.has(grad)) grad.dispose();
  }
}

function disposeAll(tensors: tf.Tensor[] | undefined): void {
  for (const t of tensors ?? []) t.dispose();
}

/**
 * The tape's nodes on a path from some x to y, in tape order, each with only the inputs that depend
 * on an x (the others need no gradient).
 */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const reachable = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      reachable.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const leads = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      leads.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  return tape
    .filter((node) => reachable.has(node.id) && leads.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id))) }));
}
