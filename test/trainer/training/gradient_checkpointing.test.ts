import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { scalarOf } from "../read";
import { Module } from "../../../trainer/nn/module";
import { Linear } from "../../../trainer/nn/linear";
import { chainSegments, segmentGradients, type Segment } from "../../../trainer/training/gradient_checkpointing";
import { tinyUNet } from "../tiny_unet";

await selectBackend();

/**
 * A small network shaped like the UNet's segment contract: a skip connection carried across
 * segments, a constant context tensor passed through unchanged, and one tensor output twice.
 */
class ToyNet extends Module {
  layers: Linear[];
  context: Linear;

  constructor(readonly width: number, readonly depth: number) {
    super();
    this.layers = Array.from({ length: depth }, () => new Linear(width, width));
    this.context = new Linear(width, width, false);
    this.parameters().forEach((p, k) =>
      p.value.assign(tf.randomNormal(p.value.shape, 0, 1 / Math.sqrt(width), "float32", 1000 + k)),
    );
  }

  segments(): Segment[] {
    const first: Segment = ([x, ctx]) => {
      const h = tf.add(tf.mul(tf.sigmoid(this.layers[0].forward(x)), x), this.context.forward(ctx));
      return [h, h, ctx];
    };
    const middle = (i: number): Segment => ([h, skip, ctx]) => [
      tf.tanh(tf.add(this.layers[i].forward(h), tf.mul(ctx, 0.1))),
      skip,
      ctx,
    ];
    const last: Segment = ([h, skip]) => [this.layers[this.depth - 1].forward(tf.add(h, skip))];
    return [first, ...Array.from({ length: this.depth - 2 }, (_, i) => middle(i + 1)), last];
  }
}

function mseHead(target: tf.Tensor): (outs: tf.Tensor[]) => tf.Scalar {
  return ([out]) => tf.mean(tf.squaredDifference(out, target)) as tf.Scalar;
}

function relativeError(got: tf.Tensor, want: tf.Tensor): Promise<number> {
  return scalarOf(() => tf.div(tf.norm(tf.sub(got, want)), tf.norm(want)));
}

/** A ToyNet of `depth` layers of `width`, with a batch of inputs, context and targets drawn from `seed`. */
function toyProblem(width: number, depth: number, batch: number, seed: number) {
  const net = new ToyNet(width, depth);
  const [x, ctx, target] = [0, 1, 2].map((i) => tf.randomNormal([batch, width], 0, 1, "float32", seed + i));
  return { net, x, ctx, target, named: net.namedParameters() };
}

test("segment-wise backprop gives the full gradients (within 1e-6 relative)", async () => {
  const { net, x, ctx, target, named } = toyProblem(16, 5, 4, 1);

  const full = tf.variableGrads(
    () => mseHead(target)(chainSegments(net.segments())([x, ctx])),
    named.map(([, p]) => p.value),
  );
  const byName = new Map(named.map(([name, p]) => [name, full.grads[p.value.name]]));
  const checkpointed = segmentGradients(net.segments(), [x, ctx], mseHead(target), named);

  assert.ok(Math.abs((await checkpointed.loss.data())[0]! - (await full.value.data())[0]!) <= 1e-7);
  assert.equal(checkpointed.grads.size, named.length, "every parameter gets a gradient");
  for (const [name, want] of byName) {
    const got = checkpointed.grads.get(name)!;
    const err = await relativeError(got, want);
    assert.ok(err <= 1e-6, `${name}: relative error ${err}`);
  }
  tf.dispose([x, ctx, target, full.value, Object.values(full.grads), checkpointed.loss, [...checkpointed.grads.values()]]);
});

test("checkpointing lowers peak memory and leaks no tensors", async () => {
  const { net, x, ctx, target, named } = toyProblem(128, 12, 256, 4);
  const run = (segments: Segment[]) => {
    const r = segmentGradients(segments, [x, ctx], mseHead(target), named);
    tf.dispose([r.loss, [...r.grads.values()]]);
  };
  const before = tf.memory().numTensors;
  const fullPeak = (await tf.profile(() => run([chainSegments(net.segments())]))).peakBytes;
  const checkpointedPeak = (await tf.profile(() => run(net.segments()))).peakBytes;
  assert.equal(tf.memory().numTensors, before, "tensor count flat");
  const weights = named.reduce((s, [, p]) => s + p.value.size * 4, 0);
  console.log(
    `toy net peak bytes above weights: full ${fullPeak - weights}, checkpointed ${checkpointedPeak - weights}`,
  );
  assert.ok(checkpointedPeak < 0.6 * fullPeak, `checkpointed ${checkpointedPeak} vs full ${fullPeak}`);
  tf.dispose([x, ctx, target]);
});

test("on a UNet, checkpointed gradients equal full backprop and the peak memory drops", async () => {
  const unet = tinyUNet(5);
  const sample = tf.randomNormal([1, 16, 16, 4], 0, 1, "float32", 7);
  const timestep = tf.tensor1d([500]);
  const context = tf.randomNormal([1, 77, 16], 0, 1, "float32", 8);
  const target = tf.randomNormal([1, 16, 16, 4], 0, 1, "float32", 9);
  const named = unet.namedParameters();
  const grads = new Map<string, Map<string, tf.Tensor>>();
  const peak = new Map<string, number>();
  const before = tf.memory().numTensors;
  for (const mode of ["full", "checkpointed"]) {
    const segments = mode === "full" ? [chainSegments(unet.segments())] : unet.segments();
    const info = await tf.profile(() => {
      const r = segmentGradients(segments, [sample, timestep, context], mseHead(target), named);
      grads.set(mode, r.grads);
      r.loss.dispose();
    });
    peak.set(mode, info.peakBytes);
  }
  for (const [name, want] of grads.get("full")!) {
    const err = await relativeError(grads.get("checkpointed")!.get(name)!, want);
    assert.ok(err <= 1e-6, `${name}: relative error ${err}`);
  }
  console.log(`tiny UNet at 16x16 latents, peak bytes: full ${peak.get("full")}, checkpointed ${peak.get("checkpointed")}`);
  assert.ok(peak.get("checkpointed")! < 0.8 * peak.get("full")!);
  tf.dispose([...grads.values()].flatMap((m) => [...m.values()]));
  assert.equal(tf.memory().numTensors, before, "tensor count flat");
  tf.dispose([sample, timestep, context, target]);
});
