import * as tf from "@tensorflow/tfjs";
import type { WebGpuEncoder } from "./webgpu_encoder";

/**
 * The training step's elementwise work on parameters as multi-tensor WGSL kernels: each dispatch
 * covers as many tensors as the device lets one shader bind (one storage buffer per tensor and
 * role), instead of tfjs's ~16 dispatches per parameter. Each tensor gets its own run of workgroups in the dispatch;
 * a workgroup finds its tensor from the spans in the uniforms.
 *
 *   clipByGlobalNorm: the global L2 norm of the gradients and torch's clip coefficient, on the device;
 *   adamwUpdate: torch.optim.AdamW on each parameter with the clipped gradient, in place, and
 *                when given, diffusers' EMA update of its shadow from the new value;
 *   emaUpdate:   the EMA update alone (parameters that had no gradient);
 *   addInPlace:  gradient accumulation across micro-batches;
 *   fillRandomNormal: random weights drawn on the device (tf.randomNormal draws them in JS).
 */

const WORKGROUP_SIZE = 256;
const MAX_WORKGROUPS_PER_DISPATCH = 65535;

/** How a kernel spreads a tensor over workgroups: elements per workgroup before it gets another, up to a cap. */
interface Spread {
  elementsPerWorkgroup: number;
  maxWorkgroupsPerTensor: number;
}
/** The norm's partial sums are few: a workgroup sums many elements. */
const NORM_SPREAD: Spread = { elementsPerWorkgroup: 16 * WORKGROUP_SIZE, maxWorkgroupsPerTensor: 256 };
const UPDATE_SPREAD: Spread = { elementsPerWorkgroup: 4 * WORKGROUP_SIZE, maxWorkgroupsPerTensor: 4096 };

/** One dispatch: tensors [start, start + count) of the list, and each one's first workgroup and workgroup count. */
interface Dispatch {
  start: number;
  firstWorkgroup: number[];
  workgroups: number[];
  total: number;
}

/** Splits tensors of the given sizes into dispatches of at most `perDispatch`. */
function planDispatches(sizes: number[], perDispatch: number, spread: Spread): Dispatch[] {
  const cap = Math.min(spread.maxWorkgroupsPerTensor, Math.floor(MAX_WORKGROUPS_PER_DISPATCH / perDispatch));
  const out: Dispatch[] = [];
  for (let start = 0; start < sizes.length; start += perDispatch) {
    const d: Dispatch = { start, firstWorkgroup: [], workgroups: [], total: 0 };
    for (const size of sizes.slice(start, start + perDispatch)) {
      const n = Math.min(cap, Math.max(1, Math.ceil(size / spread.elementsPerWorkgroup)));
      d.firstWorkgroup.push(d.total);
      d.workgroups.push(n);
      d.total += n;
    }
    out.push(d);
  }
  return out;
}

/** Tensors per dispatch when each takes `perTensor` storage buffers beside `shared` ones (and the uniforms). */
function tensorsPerDispatch(encoder: WebGpuEncoder, perTensor: number, shared: number): number {
  const { maxStorageBuffersPerShaderStage, maxBindingsPerBindGroup } = encoder.limits;
  const k = Math.floor((Math.min(maxStorageBuffersPerShaderStage, maxBindingsPerBindGroup - 1) - shared) / perTensor);
  if (k < 1) throw new Error(`webgpu: ${perTensor + shared} storage buffers per shader needed, the device allows ${encoder.limits.maxStorageBuffersPerShaderStage}`);
  return k;
}

/**
 * The uniforms every kernel here reads: kernel-wide floats f0, f1 and integers u0, then per tensor
 * its span (numel, first workgroup, workgroups, flags) and four floats of its own.
 */
const argsStruct = (k: number): string => `
struct Args {
  f0: vec4<f32>,
  f1: vec4<f32>,
  u0: vec4<u32>,
  spans: array<vec4<u32>, ${k}>,
  scalars: array<vec4<f32>, ${k}>,
}
@group(0) @binding(0) var<uniform> args: Args;`;

interface ArgsValues {
  f0?: number[];
  f1?: number[];
  u0?: number[];
  /** Per tensor: element count, flags and up to four floats. */
  tensors: Array<{ size: number; flags?: number; scalars?: number[] }>;
}

function argsBuffer(encoder: WebGpuEncoder, d: Dispatch, m: ArgsValues): GPUBuffer {
  const k = m.tensors.length;
  const data = new ArrayBuffer(48 + 32 * k);
  const f = new Float32Array(data);
  const u = new Uint32Array(data);
  f.set(m.f0 ?? [], 0);
  f.set(m.f1 ?? [], 4);
  u.set(m.u0 ?? [], 8);
  m.tensors.forEach((t, j) => {
    u.set([t.size, d.firstWorkgroup[j]!, d.workgroups[j]!, t.flags ?? 0], 12 + 4 * j);
    f.set(t.scalars ?? [], 12 + 4 * k + 4 * j);
  });
  return encoder.uniforms(data);
}

/**
 * A kernel over k tensors: shared bindings after the uniforms, then per tensor its bindings
 * (names suffixed with its index), and `perTensor(j)`, the WGSL statements run by one thread for
 * its elements of tensor j (in a loop over `i`, with `span` and `own` its uniforms). With
 * `reduce`, what the statements add to `acc` is summed per workgroup into `partials[u0.x + w]`
 * (a shared binding the caller names).
 */
function multiTensorShader(
  k: number,
  shared: Array<[string, "read" | "read_write"]>,
  perTensorBindings: Array<[string, "read" | "read_write"]>,
  perTensor: (j: number) => string,
  reduce: boolean,
): string {
  const bindings: string[] = [];
  let binding = 1;
  for (const [name, access] of shared) bindings.push(`@group(0) @binding(${binding++}) var<storage, ${access}> ${name}: array<f32>;`);
  for (let j = 0; j < k; j++) {
    for (const [name, access] of perTensorBindings) bindings.push(`@group(0) @binding(${binding++}) var<storage, ${access}> ${name}${j}: array<f32>;`);
  }
  const functions = Array.from({ length: k }, (_, j) => `
fn run${j}(w: u32, lid: u32) -> f32 {
  let span = args.spans[${j}];
  let own = args.scalars[${j}];
  var acc = 0.0;
  for (var i = w * ${WORKGROUP_SIZE}u + lid; i < span.x; i += span.z * ${WORKGROUP_SIZE}u) {
${perTensor(j)}
  }
  return acc;
}`).join("\n");
  const cases = Array.from({ length: k }, (_, j) => `    case ${j}u: { acc = run${j}(local, lid); }`).join("\n");
  const tail = reduce
    ? `
  sums[lid] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP_SIZE / 2}u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[args.u0.x + wid.x] = sums[0]; }`
    : "";
  return `${argsStruct(k)}
${bindings.join("\n")}
${reduce ? `var<workgroup> sums: array<f32, ${WORKGROUP_SIZE}>;` : ""}
${functions}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var j = 0u;
  for (var q = 1u; q < ${k}u; q++) {
    if (wid.x >= args.spans[q].y) { j = q; }
  }
  let local = wid.x - args.spans[j].y;
  var acc = 0.0;
  switch j {
${cases}
    default: {}
  }${tail}
}`;
}

const FINALIZE_NORM = `${argsStruct(1)}
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> norm: array<f32>;
@group(0) @binding(3) var<storage, read_write> coef: array<f32>;
var<workgroup> sums: array<f32, ${WORKGROUP_SIZE}>;
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < args.u0.x; i += ${WORKGROUP_SIZE}u) { acc += partials[i]; }
  sums[lid] = acc;
  workgroupBarrier();
  for (var stride = ${WORKGROUP_SIZE / 2}u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let n = sqrt(sums[0]);
    norm[0] = n;
    // torch's clip_coef_clamped: min(1, max_norm / (norm + 1e-6)).
    coef[0] = min(1.0, args.f0.x / (n + 1e-6));
  }
}`;

/**
 * The global L2 norm of the tensors and min(1, maxNorm / (norm + 1e-6)), both as scalars on the
 * device, the caller disposing them: a few dispatches, nothing read back.
 */
export function clipByGlobalNorm(encoder: WebGpuEncoder, tensors: tf.Tensor[], maxNorm: number): { norm: tf.Scalar; coef: tf.Scalar } {
  const k = tensorsPerDispatch(encoder, 1, 1);
  const dispatches = planDispatches(tensors.map((t) => t.size), k, NORM_SPREAD);
  const partials = encoder.empty([Math.max(1, dispatches.reduce((s, d) => s + d.total, 0))]);
  let base = 0;
  for (const d of dispatches) {
    const group = tensors.slice(d.start, d.start + k);
    const code = multiTensorShader(group.length, [["partials", "read_write"]], [["g", "read"]], (j) => `    let v = g${j}[i];\n    acc += v * v;`, true);
    const args = argsBuffer(encoder, d, { u0: [base], tensors: group.map((t) => ({ size: t.size })) });
    encoder.dispatch(encoder.pipeline(code), [args, encoder.buffer(partials, true), ...group.map((t) => encoder.buffer(t))], d.total);
    base += d.total;
  }
  const norm = encoder.empty([]) as tf.Scalar;
  const coef = encoder.empty([]) as tf.Scalar;
  const args = argsBuffer(encoder, { start: 0, firstWorkgroup: [0], workgroups: [1], total: 1 }, { f0: [maxNorm], u0: [base], tensors: [{ size: 0 }] });
  encoder.dispatch(encoder.pipeline(FINALIZE_NORM), [args, encoder.buffer(partials), encoder.buffer(norm, true), encoder.buffer(coef, true)], 1);
  partials.dispose();
  return { norm, coef };
}

/** One parameter's AdamW update: its tensors (written in place but the gradient) and scalars. */
export interface AdamWTensors {
  param: tf.Variable;
  grad: tf.Tensor;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
  /** 1 - lr * weight_decay. */
  decay: number;
  /** lr / (1 - beta1^step). */
  stepSize: number;
  /** sqrt(1 - beta2^step). */
  biasCorrection2Sqrt: number;
  /** The EMA shadow to update from the new value, when there is an EMA. */
  shadow?: tf.Variable;
}

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
}

/** The EMA update of a shadow from its parameter; `copy` for parameters that are not trained (diffusers copies them). */
export interface EmaTensors {
  param: tf.Variable;
  shadow: tf.Variable;
  copy: boolean;
}

/** WGSL for the EMA update of shadow e from the parameter's value x (flags bit 0: copy). */
const emaStatement = (j: number): string =>
  `    let e = e${j}[i];\n    e${j}[i] = select(e - args.f1.x * (e - x), x, (span.w & 1u) != 0u);`;

/**
 * AdamW (torch's single-tensor arithmetic: decoupled decay, lerp of the first moment, bias
 * corrections, eps after the square root) on every parameter with its gradient times `coef`,
 * and the EMA update (shadow -= emaOneMinusDecay * (shadow - new value)) of those given a shadow,
 * in the same pass.
 */
export function adamwUpdate(encoder: WebGpuEncoder, updates: AdamWTensors[], coef: tf.Scalar, hyper: AdamWHyper, emaOneMinusDecay: number | null): void {
  const withShadow = updates.filter((u) => u.shadow);
  if (withShadow.length && emaOneMinusDecay === null) throw new Error("adamwUpdate: shadows given without an EMA decay");
  for (const u of updates) for (const v of [u.param, u.expAvg, u.expAvgSq, ...(u.shadow ? [u.shadow] : [])]) encoder.ensureExclusive(v);
  adamwPass(encoder, withShadow, coef, hyper, emaOneMinusDecay);
  adamwPass(encoder, updates.filter((u) => !u.shadow), coef, hyper, null);
}

function adamwPass(encoder: WebGpuEncoder, updates: AdamWTensors[], coef: tf.Scalar, hyper: AdamWHyper, emaOneMinusDecay: number | null): void {
  const withEma = emaOneMinusDecay !== null;
  const roles: Array<[string, "read" | "read_write"]> = [["p", "read_write"], ["g", "read"], ["m", "read_write"], ["v", "read_write"]];
  if (withEma) roles.push(["e", "read_write"]);
  const k = tensorsPerDispatch(encoder, roles.length, 1);
  const body = (j: number): string =>
    [
      `    let g = g${j}[i] * coef[0];`,
      `    let m = m${j}[i] + (g - m${j}[i]) * args.f0.x;`,
      `    let v = v${j}[i] * args.f0.y + g * g * args.f0.z;`,
      `    m${j}[i] = m;`,
      `    v${j}[i] = v;`,
      `    let x = p${j}[i] * own.x - own.y * (m / (sqrt(v) / own.z + args.f0.w));`,
      `    p${j}[i] = x;`,
      ...(withEma ? [emaStatement(j)] : []),
    ].join("\n");
  for (const d of planDispatches(updates.map((u) => u.param.size), k, UPDATE_SPREAD)) {
    const group = updates.slice(d.start, d.start + k);
    const code = multiTensorShader(group.length, [["coef", "read"]], roles, body, false);
    const args = argsBuffer(encoder, d, {
      f0: [1 - hyper.beta1, hyper.beta2, 1 - hyper.beta2, hyper.eps],
      f1: [emaOneMinusDecay ?? 0],
      tensors: group.map((u) => ({ size: u.param.size, scalars: [u.decay, u.stepSize, u.biasCorrection2Sqrt] })),
    });
    const perTensor = group.flatMap((u) => [
      encoder.buffer(u.param, true),
      encoder.buffer(u.grad),
      encoder.buffer(u.expAvg, true),
      encoder.buffer(u.expAvgSq, true),
      ...(withEma ? [encoder.buffer(u.shadow!, true)] : []),
    ]);
    encoder.dispatch(encoder.pipeline(code), [args, encoder.buffer(coef), ...perTensor], d.total);
  }
}

/** The EMA update alone: shadow -= oneMinusDecay * (shadow - param), or a copy where `copy`. */
export function emaUpdate(encoder: WebGpuEncoder, updates: EmaTensors[], oneMinusDecay: number): void {
  const k = tensorsPerDispatch(encoder, 2, 0);
  for (const u of updates) encoder.ensureExclusive(u.shadow);
  for (const d of planDispatches(updates.map((u) => u.param.size), k, UPDATE_SPREAD)) {
    const group = updates.slice(d.start, d.start + k);
    const code = multiTensorShader(group.length, [], [["p", "read"], ["e", "read_write"]], (j) => `    let x = p${j}[i];\n${emaStatement(j)}`, false);
    const args = argsBuffer(encoder, d, { f1: [oneMinusDecay], tensors: group.map((u) => ({ size: u.param.size, flags: u.copy ? 1 : 0 })) });
    encoder.dispatch(encoder.pipeline(code), [args, ...group.flatMap((u) => [encoder.buffer(u.param), encoder.buffer(u.shadow, true)])], d.total);
  }
}

/** sum += addend for each pair of same-sized tensors, in place; no sum may share its buffer with another tensor. */
export function addInPlace(encoder: WebGpuEncoder, pairs: Array<{ sum: tf.Tensor; addend: tf.Tensor }>): void {
  const k = tensorsPerDispatch(encoder, 2, 0);
  for (const d of planDispatches(pairs.map((p) => p.sum.size), k, UPDATE_SPREAD)) {
    const group = pairs.slice(d.start, d.start + k);
    const code = multiTensorShader(group.length, [], [["s", "read_write"], ["a", "read"]], (j) => `    s${j}[i] = s${j}[i] + a${j}[i];`, false);
    const args = argsBuffer(encoder, d, { tensors: group.map((p) => ({ size: p.sum.size })) });
    encoder.dispatch(encoder.pipeline(code), [args, ...group.flatMap((p) => [encoder.buffer(p.sum, true), encoder.buffer(p.addend)])], d.total);
  }
}

/** Fills each target with N(mean, std) draws from a counter-based hash of (seed, index): Box-Muller on two 24-bit uniforms. */
export function fillRandomNormal(encoder: WebGpuEncoder, fills: Array<{ target: tf.Tensor; mean: number; std: number; seed: number }>): void {
  const k = tensorsPerDispatch(encoder, 1, 0);
  const hash = `
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}`;
  for (const d of planDispatches(fills.map((f) => f.target.size), k, UPDATE_SPREAD)) {
    const group = fills.slice(d.start, d.start + k);
    const body = (j: number): string =>
      [
        `    let key = pcg(span.w) + 2u * i;`,
        `    let u1 = (f32(pcg(key) >> 8u) + 1.0) / 16777216.0;`,
        `    let u2 = f32(pcg(key + 1u) >> 8u) / 16777216.0;`,
        `    o${j}[i] = own.x + own.y * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);`,
      ].join("\n");
    const code = hash + multiTensorShader(group.length, [], [["o", "read_write"]], body, false);
    const args = argsBuffer(encoder, d, { tensors: group.map((f) => ({ size: f.target.size, flags: f.seed >>> 0, scalars: [f.mean, f.std] })) });
    encoder.dispatch(encoder.pipeline(code), [args, ...group.map((f) => encoder.buffer(f.target, true))], d.total);
  }
}
