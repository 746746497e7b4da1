import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { parameter, type Parameter } from "../../../trainer/nn/module";
import { AdamW } from "../../../trainer/training/adamw";
import { clipGradNorm } from "../../../trainer/training/clip_grad_norm";
import { EMAModel } from "../../../trainer/training/ema";
import { ensureExclusive, hostMemory, type HostMemory } from "../../../trainer/training/host_memory";
import { lrLambda } from "../../../trainer/training/lr_scheduler";
import { readScalars } from "../../../trainer/training/read_scalars";
import { adamwUpdate } from "../../../trainer/training/multi_tensor_webgpu";
import { optimizerStep } from "../../../trainer/training/train_step";
import { WebGpuEncoder } from "../../../trainer/training/webgpu_encoder";

await selectBackend();

/** A deterministic pseudo-random sequence, so the float64 references see the same numbers. */
function sequence(n: number, seed: number, scale = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * 2 * scale;
  });
}

function closeTo(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = atol + rtol * Math.abs(want[i]);
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}[${i}]: got ${got[i]} want ${want[i]}`);
  }
}

function makeParams(shapes: Record<string, number[]>, seed: number): Array<[string, Parameter]> {
  return Object.entries(shapes).map(([name, shape], k) => {
    const p = parameter(shape);
    tf.tidy(() => p.value.assign(tf.tensor(sequence(shape.reduce((a, b) => a * b, 1), seed + k), shape)));
    return [name, p];
  });
}

/** torch.optim.AdamW's update for one parameter, in float64. */
function adamwReference(
  p: number[], grads: number[][], lrs: number[], o: { b1: number; b2: number; eps: number; wd: number },
): number[] {
  const x = [...p];
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  grads.forEach((g, t) => {
    const step = t + 1;
    const lr = lrs[t];
    for (let i = 0; i < x.length; i++) {
      x[i] *= 1 - lr * o.wd;
      m[i] = o.b1 * m[i] + (1 - o.b1) * g[i];
      v[i] = o.b2 * v[i] + (1 - o.b2) * g[i] * g[i];
      const mHat = m[i] / (1 - o.b1 ** step);
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - o.b2 ** step) + o.eps;
      x[i] -= (lr * mHat) / denom;
    }
  });
  return x;
}

for (const path of ["tf ops", "host memory", "webgpu multi-tensor"] as const) {
  test(`AdamW matches torch's update, weight decay and eps placement included (${path})`, async (ctx) => {
    const memory = hostMemory();
    const encoder = WebGpuEncoder.active();
    if (path === "host memory" && !memory) return ctx.skip("this backend's tensors are out of JS's reach");
    if (path === "webgpu multi-tensor" && !encoder) return ctx.skip("not on webgpu");
    const shapes = { "a.weight": [3, 4], "a.bias": [4], tiny: [5] };
    const params = makeParams(shapes, 1);
    const init = await Promise.all(params.map(async ([, p]) => Array.from(await p.value.data())));
    const opts = { b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1 };
    const opt = new AdamW(params, { lr: 0.05, betas: [opts.b1, opts.b2], eps: opts.eps, weightDecay: opts.wd });
    const lrs = [0.05, 0.02, 0.1];
    // "tiny" gets gradients near eps, where eps inside the square root would show.
    const gradSeqs = params.map(([name, p], k) =>
      lrs.map((_, t) => sequence(p.value.size, 100 + 10 * k + t, name === "tiny" ? 3e-8 : 1)),
    );
    lrs.forEach((lr, t) => {
      const grads = new Map(params.map(([name, p], k) => [name, tf.tensor(gradSeqs[k][t], p.value.shape)]));
      if (path === "tf ops") opt.step(grads, lr);
      else if (path === "host memory") opt.stepOnHost(memory!, grads, lr);
      else tf.tidy(() => adamwUpdate(encoder!, opt.deviceUpdates(grads, lr), tf.scalar(1), opt, null));
      for (const g of grads.values()) g.dispose();
    });
    for (const [k, [name, p]] of params.entries()) {
      const want = adamwReference(init[k], gradSeqs[k], lrs, opts);
      closeTo(await p.value.data(), want, 1e-5, 1e-7, name);
    }
  });
}

test("AdamW skips parameters without gradients and its state round-trips", async () => {
  const params = makeParams({ w: [2, 3], untouched: [3] }, 7);
  const before = (await params[1][1].value.data()).slice();
  const opt = new AdamW(params, { lr: 0.01 });
  const grad = (seed: number) => new Map([["w", tf.tensor(sequence(6, seed), [2, 3])]]);
  opt.step(grad(1));
  assert.deepEqual((await params[1][1].value.data()), before, "no gradient, no weight decay");

  const state = opt.stateDict();
  assert.deepEqual([...state.keys()].sort(), ["w.exp_avg", "w.exp_avg_sq", "w.step"]);
  const twinParams = makeParams({ w: [2, 3], untouched: [3] }, 0);
  twinParams[0][1].value.assign(params[0][1].value);
  const twin = new AdamW(twinParams, { lr: 0.01 });
  await twin.loadStateDict(state);
  for (const t of state.values()) t.dispose();
  opt.step(grad(2));
  twin.step(grad(2));
  assert.deepEqual((await twinParams[0][1].value.data()), (await params[0][1].value.data()));
});

test("clipGradNorm returns the global L2 norm and scales by max_norm / (norm + 1e-6)", async () => {
  const a = sequence(12, 3, 2);
  const b = sequence(5, 4, 2);
  const norm = Math.sqrt([...a, ...b].reduce((s, x) => s + x * x, 0));
  const maxNorm = norm / 3;
  const grads = new Map([
    ["a", tf.tensor(a, [3, 4])],
    ["b", tf.tensor(b)],
  ]);
  const [got] = await readScalars([clipGradNorm(grads, maxNorm)]);
  closeTo([got!], [norm], 1e-6, 0, "norm");
  const coef = maxNorm / (norm + 1e-6);
  closeTo((await grads.get("a")!.data()), a.map((x) => x * coef), 1e-6, 1e-7, "a");
  closeTo((await grads.get("b")!.data()), b.map((x) => x * coef), 1e-6, 1e-7, "b");

  // Below the threshold the coefficient clamps to 1: gradients are unchanged.
  const [again] = await readScalars([clipGradNorm(grads, 100)]);
  closeTo([again!], [maxNorm * (norm / (norm + 1e-6))], 1e-6, 0, "clipped norm");
  closeTo((await grads.get("b")!.data()), b.map((x) => x * coef), 1e-6, 1e-7, "b unchanged");
  for (const g of grads.values()) g.dispose();
});

test("EMAModel follows diffusers 0.29 decay: 0 first, then (1+s)/(10+s) capped at 0.9999", async () => {
  const params = makeParams({ w: [4], frozen: [2] }, 11);
  params[1][1].value.trainable = false;
  const ema = new EMAModel(params);
  assert.equal(ema.getDecay(1), 0);
  assert.equal(ema.getDecay(2), 2 / 11);
  assert.equal(ema.getDecay(3), 3 / 12);
  assert.equal(ema.getDecay(200000), 0.9999);
  assert.ok(Math.abs(new EMAModel([], { useEmaWarmup: true }).getDecay(11) - (1 - 11 ** (-2 / 3))) < 1e-15);
  assert.equal(new EMAModel([], { updateAfterStep: 5 }).getDecay(6), 0);

  let shadow = Array.from((await params[0][1].value.data()));
  for (let step = 1; step <= 4; step++) {
    const next = sequence(4, 50 + step);
    params[0][1].value.assign(tf.tensor(next));
    params[1][1].value.assign(tf.tensor(sequence(2, 70 + step)));
    ema.step(params);
    const d = step === 1 ? 0 : step / (9 + step);
    shadow = shadow.map((s, i) => s - (1 - d) * (s - next[i]));
  }
  const state = ema.stateDict(params);
  closeTo((await state.get("w")!.data()), shadow, 1e-6, 1e-7, "shadow");
  assert.deepEqual((await state.get("frozen")!.data()), (await params[1][1].value.data()), "frozen parameters are copied");
  assert.equal(ema.config().optimization_step, 4);

  // Validation swap: store, copy the averages in, restore the trained weights.
  const trained = (await params[0][1].value.data()).slice();
  ema.store(params);
  ema.copyTo(params);
  closeTo((await params[0][1].value.data()), shadow, 1e-6, 1e-7, "copied");
  ema.restore(params);
  assert.deepEqual((await params[0][1].value.data()), trained);

  const resumed = new EMAModel(params);
  resumed.loadStateDict(params, state, ema.config());
  assert.equal(resumed.optimizationStep, 4);
  assert.deepEqual((await resumed.stateDict(params).get("w")!.data()), (await state.get("w")!.data()));
});

/** Where optimizerStep runs: host memory, WebGPU multi-tensor kernels, or tf ops (both null). */
interface Engine {
  memory: HostMemory | null;
  encoder: WebGpuEncoder | null;
}
const TF_OPS: Engine = { memory: null, encoder: null };

/**
 * Params, AdamW moments and EMA shadows (in torch layout) after `steps` optimizer steps on fixed
 * gradients, for the given parameter shapes (the last one frozen).
 */
async function trainedState(
  engine: Engine,
  steps: number,
  shapes: Record<string, number[]> = { "a.weight": [3, 4], "a.bias": [4], frozen: [2] },
): Promise<{ norms: number[]; state: Map<string, Float32Array> }> {
  const params = makeParams(shapes, 21);
  params.at(-1)![1].value.trainable = false;
  const optimizer = new AdamW(params, { lr: 0.05, weightDecay: 0.1 });
  const ema = new EMAModel(params);
  const norms: number[] = [];
  const trained = params.slice(0, -1).reduce((n, [, p]) => n + p.value.size, 0);
  // Small enough for a norm under 1 whatever the size (the default shapes have 16 trained values).
  const small = 0.1 * Math.sqrt(16 / trained);
  for (let t = 0; t < steps; t++) {
    // Large gradients on odd steps, so the clip both scales and leaves them alone.
    const grads = new Map(
      params.slice(0, -1).map(([name, p], k) => [name, tf.tensor(sequence(p.value.size, 40 + 10 * t + k, t % 2 ? 5 : small), p.value.shape)]),
    );
    norms.push(...(await readScalars([optimizerStep(grads, { optimizer, lr: 0.05, maxGradNorm: 1, ema, params, ...engine })])));
  }
  const tensors = new Map([
    ...params.map(([name, p]): [string, tf.Tensor] => [name, p.value]),
    ...optimizer.stateDict(),
    ...[...ema.stateDict(params)].map(([name, t]): [string, tf.Tensor] => [`ema.${name}`, t]),
  ]);
  const state = new Map(await Promise.all([...tensors].map(async ([name, t]) => [name, (await t.data()) as Float32Array] as const)));
  tf.dispose([...tensors.values()].filter((t) => !(t instanceof tf.Variable)));
  params.forEach(([, p]) => p.value.dispose());
  optimizer.dispose();
  ema.dispose();
  return { norms, state };
}

/** A fused optimizer step (host memory or WebGPU kernels) against the tf-ops one on the active backend. */
async function assertStepMatchesOps(engine: Engine, shapes?: Record<string, number[]>): Promise<void> {
  const before = tf.memory().numTensors;
  const ops = await trainedState(TF_OPS, 6, shapes);
  const fused = await trainedState(engine, 6, shapes);
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
  closeTo(fused.norms, ops.norms, 1e-6, 0, "grad norms");
  assert.ok(ops.norms.some((n) => n > 1) && ops.norms.some((n) => n < 1), "the clip both scaled and did not");
  assert.deepEqual([...fused.state.keys()], [...ops.state.keys()]);
  for (const [name, want] of ops.state) closeTo(fused.state.get(name)!, want, 1e-5, 1e-7, name);
}

/** The backend's fused engine, or why there is none. */
function fusedEngine(kind: "host memory" | "webgpu multi-tensor"): Engine | string {
  if (kind === "host memory") return hostMemory() ? { memory: hostMemory(), encoder: null } : "this backend's tensors are out of JS's reach";
  return WebGpuEncoder.active() ? { memory: null, encoder: WebGpuEncoder.active() } : "not on webgpu";
}

test("the host-memory optimizer step (clip, AdamW, EMA) matches the tf-ops one", async (ctx) => {
  const engine = fusedEngine("host memory");
  if (typeof engine === "string") return ctx.skip(engine);
  await assertStepMatchesOps(engine);
});

test("the host-memory optimizer step matches the tf-ops one on the cpu backend", async () => {
  const active = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    await assertStepMatchesOps({ memory: hostMemory(), encoder: null });
  } finally {
    await tf.setBackend(active);
  }
});

test("the multi-tensor WebGPU optimizer step matches the tf-ops one, over several dispatches and long tensors", async (ctx) => {
  const engine = fusedEngine("webgpu multi-tensor");
  if (typeof engine === "string") return ctx.skip(engine);
  await assertStepMatchesOps(engine);
  // More tensors than one dispatch binds, and tensors longer than their workgroups cover in one pass.
  const shapes: Record<string, number[]> = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`t${k}`, [1 + ((k * 37) % 50)]]));
  Object.assign(shapes, { "big.norm": [1100, 1000], "big.update": [2100, 2000], frozen: [7] });
  await assertStepMatchesOps(engine, shapes);
});

for (const kind of ["host memory", "webgpu multi-tensor"] as const) test(`the ${kind} optimizer step writes no buffer that another tensor shares`, async (ctx) => {
  const engine = fusedEngine(kind);
  if (typeof engine === "string") return ctx.skip(engine);
  const params = makeParams({ w: [6] }, 5);
  const optimizer = new AdamW(params, { lr: 0.01 });
  const ema = new EMAModel(params);
  const step = (grad: tf.Tensor) => optimizerStep(new Map([["w", grad]]), { optimizer, lr: 0.01, maxGradNorm: 1, ema, params, ...engine }).dispose();
  step(tf.tensor(sequence(6, 1)));
  ema.copyTo(params); // the parameter now shares the shadow's buffer
  const w = params[0][1].value;
  const alias = tf.reshape(w, [2, 3]); // and so does this
  assert.ok(tf.backend().refCount(alias.dataId) > 1);
  const before = (await alias.data()).slice();
  step(tf.reshape(w, [6])); // a gradient on that buffer too
  assert.deepEqual((await alias.data()), before, "the shared buffer is unchanged");
  assert.notDeepEqual((await w.data()), before, "the parameter moved");
  alias.dispose();
  optimizer.dispose();
  ema.dispose();
});

test("ensureExclusive gives a variable that shares its buffer a copy of its own", async (ctx) => {
  const memory = hostMemory();
  if (!memory) return ctx.skip("this backend's tensors are out of JS's reach");
  const init = tf.tensor([1, 2, 3]);
  const v = tf.variable(init, false); // tf.variable shares the initial tensor's buffer
  assert.ok(!memory.exclusive(v));
  ensureExclusive(memory, v);
  assert.ok(memory.exclusive(v));
  memory.view(v)[0] = 9;
  assert.deepEqual(Array.from((await init.data())), [1, 2, 3]);
  assert.deepEqual(Array.from((await v.data())), [9, 2, 3]);
  tf.dispose([init, v]);
});

test("lr schedules match diffusers get_scheduler", async () => {
  const base = { baseLr: 1e-4, numWarmupSteps: 10, numTrainingSteps: 110 };
  const at = (f: (k: number) => number, ks: number[]) => ks.map(f);
  assert.deepEqual(at(lrLambda({ ...base, name: "constant" }), [0, 50]), [1, 1]);
  assert.deepEqual(at(lrLambda({ ...base, name: "constant_with_warmup" }), [0, 5, 10, 99]), [0, 0.5, 1, 1]);
  assert.deepEqual(at(lrLambda({ ...base, name: "linear" }), [0, 5, 10, 60, 110, 200]), [0, 0.5, 1, 0.5, 0, 0]);
  closeTo(at(lrLambda({ ...base, name: "cosine" }), [5, 10, 60, 110]), [0.5, 1, 0.5, 0], 1e-12, 1e-15, "cosine");
  // Two restarts: progress 0.25 is halfway down the first cosine, 0.5 is a restart.
  closeTo(
    at(lrLambda({ ...base, name: "cosine_with_restarts", numCycles: 2 }), [35, 60, 85, 110]),
    [0.5, 1, 0.5, 0],
    1e-12,
    1e-15,
    "cosine_with_restarts",
  );
  // Polynomial power 2 from 1e-4 to 1e-6: halfway, the lr is 1e-6 + (1e-4 - 1e-6) / 4.
  const poly = lrLambda({ ...base, name: "polynomial", power: 2, lrEnd: 1e-6 });
  closeTo(at(poly, [60, 110, 111]), [(1e-6 + 0.99e-4 / 4) / 1e-4, 0.01, 0.01], 1e-12, 1e-15, "polynomial");
  const piecewise = lrLambda({ ...base, name: "piecewise_constant", stepRules: "1:10,0.1:20,0.01" });
  assert.deepEqual(at(piecewise, [0, 9, 10, 19, 20, 500]), [1, 1, 0.1, 0.1, 0.01, 0.01]);
  assert.throws(() => lrLambda({ baseLr: 1, name: "linear" }), /numWarmupSteps/);
});
