import * as tf from "@tensorflow/tfjs";
import { asTensors, disposeInfo, runWgsl, withGradient, type Uniform } from "./run_wgsl";
import { bindings, COLUMN_TOTAL, COLUMNS, FLAT_WORKGROUP, grid, MAIN, WORKGROUP, WORKGROUP_SUM } from "./wgsl";

/**
 * GroupNorm, optionally followed by SiLU, as WGSL: one dispatch forward, two backward, where tf
 * ops take ~60 (and SiLU ~8 more). x is channels-last [N, ..., C] with C split into G groups of
 * K channels; a workgroup owns one (sample, group) block of L*K values (L positions). LayerNorm is
 * the case of one group over C channels with each row its own sample.
 *
 * Statistics are two-pass (mean, then the mean squared deviation), like torch's. Nothing but y
 * is kept for the backward: the block's statistics are recomputed there from x.
 */

export interface WebGpuGroupNormAttrs {
  numGroups: number;
  eps: number;
  /** Apply SiLU to the normalized output (resnet blocks' norm -> silu). */
  silu: boolean;
}

/** x viewed as [N, L, C] with G groups of K channels. */
interface Blocks {
  n: number;
  l: number;
  c: number;
  g: number;
  k: number;
}

function blocksOf(shape: number[], numGroups: number): Blocks {
  const n = shape[0]!;
  const c = shape.at(-1)!;
  const size = shape.reduce((a, b) => a * b, 1);
  if (c % numGroups !== 0) throw new Error(`GroupNorm: ${c} channels do not split into ${numGroups} groups`);
  return { n, l: size / (n * c), c, g: numGroups, k: c / numGroups };
}

const uniformsOf = (b: Blocks, eps: number): Uniform[] => [
  { type: "uint32", data: [b.n, b.l, b.c, b.g] },
  { type: "uint32", data: [b.k] },
  { type: "float32", data: [eps] },
];

/** The uniforms (shape = N, L, C, G) and SiLU's value and slope. */
const PARAMS_AND_SILU = /* wgsl */ `
struct Params { shape: vec4<u32>, k: u32, eps: f32 };
fn silu(h: f32) -> f32 { return h / (1.0 + exp(-h)); }
// d silu(h) / dh.
fn siluSlope(h: f32) -> f32 { let s = 1.0 / (1.0 + exp(-h)); return s * (1.0 + h * (1.0 - s)); }
`;

/** The block's statistics and the per-element address, shared by the per-block passes. */
const BLOCK_COMMON = /* wgsl */ `
const WG = ${WORKGROUP}u;
${PARAMS_AND_SILU}
${FLAT_WORKGROUP}
${WORKGROUP_SUM}
// Offset of the j-th value (position j / K, channel j % K) of the block of sample n, group g.
fn blockAddress(n: u32, g: u32, j: u32) -> u32 {
  let k = params.k;
  return (n * params.shape.y + j / k) * params.shape.z + g * k + j % k;
}
// (mean, 1 / sqrt(var + eps)) of the block, two passes over x.
fn blockStats(n: u32, g: u32, t: u32) -> vec2<f32> {
  let count = params.shape.y * params.k;
  var s = 0.0;
  for (var j = t; j < count; j = j + WG) { s = s + x[blockAddress(n, g, j)]; }
  let mean = workgroupSum(vec2<f32>(s, 0.0), t).x / f32(count);
  var q = 0.0;
  for (var j = t; j < count; j = j + WG) { let d = x[blockAddress(n, g, j)] - mean; q = q + d * d; }
  let variance = workgroupSum(vec2<f32>(q, 0.0), t).x / f32(count);
  return vec2<f32>(mean, inverseSqrt(variance + params.eps));
}
`;

/** The start of a per-block main: the `block` (returning past the end), its sample n and group g, statistics st and value count. */
const BLOCK_START = /* wgsl */ `
  let block = flatWorkgroup(wid, nwg);
  if (block >= params.shape.x * params.shape.w) { return; }
  let n = block / params.shape.w;
  let g = block % params.shape.w;
  let st = blockStats(n, g, lid);
  let count = params.shape.y * params.k;`;

const forwardSource = (silu: boolean): string => /* wgsl */ `
${bindings(["y"], ["x", "gamma", "beta"])}
${BLOCK_COMMON}
${MAIN} {
  ${BLOCK_START}
  for (var j = lid; j < count; j = j + WG) {
    let at = blockAddress(n, g, j);
    let c = g * params.k + j % params.k;
    let h = (x[at] - st.x) * st.y * gamma[c] + beta[c];
    y[at] = ${silu ? "silu(h)" : "h"};
  }
}`;

/**
 * dx per block: with dh = dy (times silu'(h)), xhat = (x - mean) * rstd and <.> the block mean,
 * dx = rstd * (gamma dh - <gamma dh> - xhat <gamma dh xhat>). Also writes the block's statistics for
 * the dgamma/dbeta pass.
 */
const inputGradSource = (silu: boolean): string => /* wgsl */ `
${bindings(["dx", "stats: vec2<f32>"], ["dy", "x", "gamma", "beta"])}
${BLOCK_COMMON}
fn outputGrad(at: u32, c: u32, xhat: f32) -> f32 {
  ${silu ? "return dy[at] * siluSlope(xhat * gamma[c] + beta[c]);" : "return dy[at];"}
}
${MAIN} {
  ${BLOCK_START}
  var sums = vec2<f32>(0.0, 0.0);
  for (var j = lid; j < count; j = j + WG) {
    let at = blockAddress(n, g, j);
    let c = g * params.k + j % params.k;
    let xhat = (x[at] - st.x) * st.y;
    let gdh = gamma[c] * outputGrad(at, c, xhat);
    sums = sums + vec2<f32>(gdh, gdh * xhat);
  }
  let means = workgroupSum(sums, lid) / f32(count);
  for (var j = lid; j < count; j = j + WG) {
    let at = blockAddress(n, g, j);
    let c = g * params.k + j % params.k;
    let xhat = (x[at] - st.x) * st.y;
    dx[at] = st.y * (gamma[c] * outputGrad(at, c, xhat) - means.x - xhat * means.y);
  }
  if (lid == 0u) { stats[block] = st; }
}`;

/** dgamma = sum dh * xhat and dbeta = sum dh over all samples and positions, per channel. */
const paramGradSource = (silu: boolean): string => /* wgsl */ `
${bindings(["dgamma", "dbeta"], ["dy", "x", "gamma", "beta", "stats: vec2<f32>"])}
${PARAMS_AND_SILU}
${COLUMN_TOTAL}
${MAIN} {
  let c = wid.x * COLUMNS + lid % COLUMNS;
  let channels = params.shape.z;
  var sums = vec2<f32>(0.0, 0.0);
  if (c < channels) {
    let g = c / params.k;
    let rows = params.shape.x * params.shape.y;
    for (var r = lid / COLUMNS; r < rows; r += ROW_LANES) {
      let st = stats[(r / params.shape.y) * params.shape.w + g];
      let at = r * channels + c;
      let xhat = (x[at] - st.x) * st.y;
      let dh = ${silu ? "dy[at] * siluSlope(xhat * gamma[c] + beta[c])" : "dy[at]"};
      sums += vec2<f32>(dh * xhat, dh);
    }
  }
  let total = columnTotal(sums, lid);
  if (lid < COLUMNS && c < channels) {
    dgamma[c] = total.x;
    dbeta[c] = total.y;
  }
}`;

const key = (name: string, silu: boolean): string => `InkstoneGroupNorm${name}${silu ? "Silu" : ""}`;

/** GroupNorm(x) (then SiLU) with its gradient, on tfjs-backend-webgpu. */
export function webGpuGroupNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, attrs: WebGpuGroupNormAttrs): T {
  const b = blocksOf(x.shape, attrs.numGroups);
  const uniforms = uniformsOf(b, attrs.eps);
  const blocks = grid(b.n * b.g, 1);
  return withGradient([x, gamma, beta], ([xIn, gammaIn, betaIn], save) => {
    save([xIn!, gammaIn!, betaIn!]);
    const [y] = asTensors(runWgsl({ key: key("", attrs.silu), source: () => forwardSource(attrs.silu), inputs: [xIn!, gammaIn!, betaIn!], outputs: [x.shape], uniforms, workgroups: blocks }));
    return {
      value: y!,
      gradFunc: (dy, [xs, gs, bs]) => {
        const inputs = [dy, xs!, gs!, bs!];
        const [dx, stats] = runWgsl({ key: key("InputGrad", attrs.silu), source: () => inputGradSource(attrs.silu), inputs, outputs: [x.shape, [b.n * b.g, 2]], uniforms, workgroups: blocks });
        const [dgamma, dbeta] = runWgsl({
          key: key("ParamGrad", attrs.silu),
          source: () => paramGradSource(attrs.silu),
          inputs: [...inputs, stats!],
          outputs: [[b.c], [b.c]],
          uniforms,
          workgroups: [Math.ceil(b.c / COLUMNS)],
        });
        disposeInfo(stats!);
        return asTensors([dx!, dgamma!, dbeta!]);
      },
    };
  }) as T;
}
