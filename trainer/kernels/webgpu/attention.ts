import * as tf from "@tensorflow/tfjs";
import { asTensors, disposeInfo, runWgsl, withGradient, type Uniform } from "./run_wgsl";
import { bindings, FLAT_WORKGROUP, grid, MAIN, WORKGROUP } from "./wgsl";

/**
 * softmax(q k^T * scale) v over heads, flash-style in WGSL: one dispatch forward, two backward,
 * and no [Lq, Lk] score matrix in memory either way (at 512 px, 4096 x 4096 per head). A thread
 * owns one query row (forward, dq) or one key row (dk, dv) of one head and walks the other side;
 * the forward keeps a running max and sum (online softmax) and saves each row's log-sum-exp, from
 * which the backward recomputes the probabilities.
 *
 * q is [N, Lq, heads*d], k and v [N, Lk, heads*d], heads side by side in the last axis, as the
 * projections make them: no transposes.
 */

/** Head widths up to this run fused: each thread holds up to four d-vectors. */
export const MAX_FUSED_HEAD_DIM = 256;

interface Shape {
  n: number;
  lq: number;
  lk: number;
  heads: number;
  d: number;
}

const PARAMS = /* wgsl */ `
struct Params { lq: u32, lk: u32, heads: u32, rows: u32, scale: f32 };
${FLAT_WORKGROUP}
// This thread's row of N*heads*len (query or key rows), past the end for some.
fn rowOf(lid: u32, wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return flatWorkgroup(wid, nwg) * ${WORKGROUP}u + lid; }
// (sample, head, position) of a row of N*heads*len.
fn headRow(row: u32, len: u32) -> vec3<u32> { return vec3<u32>(row / (len * params.heads), (row / len) % params.heads, row % len); }
// Offset of position i of head h of sample n in a [N, len, heads*D] tensor.
fn offset(n: u32, len: u32, i: u32, h: u32) -> u32 { return (n * len + i) * params.heads * D + h * D; }
`;

/** The start of main: this thread's `row` (returning past the end) and its sample n, head h and position. */
const rowStart = (len: "lq" | "lk", position: "i" | "j"): string => /* wgsl */ `
  let row = rowOf(lid, wid, nwg);
  if (row >= params.rows) { return; }
  let at = headRow(row, params.${len});
  let n = at.x;
  let h = at.y;
  let ${position} = at.z;`;

const uniformsOf = (s: Shape, rows: number): Uniform[] => [
  { type: "uint32", data: [s.lq, s.lk, s.heads, rows] },
  { type: "float32", data: [1 / Math.sqrt(s.d)] },
];

const forwardSource = (d: number): string => /* wgsl */ `
const D = ${d}u;
${bindings(["o", "lse"], ["q", "k", "v"])}
${PARAMS}
${MAIN} {
  ${rowStart("lq", "i")}
  let qo = offset(n, params.lq, i, h);
  var qs: array<f32, D>;
  for (var c = 0u; c < D; c++) { qs[c] = q[qo + c] * params.scale; }
  var acc: array<f32, D>;
  var top = -3.0e38;
  var total = 0.0;
  for (var j = 0u; j < params.lk; j++) {
    let ko = offset(n, params.lk, j, h);
    var s = 0.0;
    for (var c = 0u; c < D; c++) { s += qs[c] * k[ko + c]; }
    if (s > top) {
      // A new maximum: rescale what was summed against the old one.
      let shrink = exp(top - s);
      total *= shrink;
      for (var c = 0u; c < D; c++) { acc[c] *= shrink; }
      top = s;
    }
    let p = exp(s - top);
    total += p;
    for (var c = 0u; c < D; c++) { acc[c] += p * v[ko + c]; }
  }
  for (var c = 0u; c < D; c++) { o[qo + c] = acc[c] / total; }
  lse[row] = top + log(total);
}`;

/**
 * Per query row: delta = do . o, and dq = scale * sum_j p_ij (do . v_j - delta) k_j with
 * p_ij = exp(scale q . k_j - lse).
 */
const queryGradSource = (d: number): string => /* wgsl */ `
const D = ${d}u;
${bindings(["dq", "delta"], ["q", "k", "v", "o", "dout", "lse"])}
${PARAMS}
${MAIN} {
  ${rowStart("lq", "i")}
  let qo = offset(n, params.lq, i, h);
  var qs: array<f32, D>;
  var dos: array<f32, D>;
  var di = 0.0;
  for (var c = 0u; c < D; c++) {
    qs[c] = q[qo + c] * params.scale;
    dos[c] = dout[qo + c];
    di += dos[c] * o[qo + c];
  }
  let l = lse[row];
  var acc: array<f32, D>;
  for (var j = 0u; j < params.lk; j++) {
    let ko = offset(n, params.lk, j, h);
    var s = 0.0;
    var dp = 0.0;
    for (var c = 0u; c < D; c++) { s += qs[c] * k[ko + c]; dp += dos[c] * v[ko + c]; }
    let ds = exp(s - l) * (dp - di);
    for (var c = 0u; c < D; c++) { acc[c] += ds * k[ko + c]; }
  }
  for (var c = 0u; c < D; c++) { dq[qo + c] = acc[c] * params.scale; }
  delta[row] = di;
}`;

/** Per key row: dv = sum_i p_ij do_i, dk = scale * sum_i p_ij (do_i . v - delta_i) q_i. */
const keyValueGradSource = (d: number): string => /* wgsl */ `
const D = ${d}u;
${bindings(["dk", "dv"], ["q", "k", "v", "dout", "lse", "delta"])}
${PARAMS}
${MAIN} {
  ${rowStart("lk", "j")}
  let ko = offset(n, params.lk, j, h);
  var ks: array<f32, D>;
  var vs: array<f32, D>;
  for (var c = 0u; c < D; c++) { ks[c] = k[ko + c] * params.scale; vs[c] = v[ko + c]; }
  var dks: array<f32, D>;
  var dvs: array<f32, D>;
  for (var i = 0u; i < params.lq; i++) {
    let qo = offset(n, params.lq, i, h);
    let qrow = (n * params.heads + h) * params.lq + i;
    var s = 0.0;
    var dp = 0.0;
    for (var c = 0u; c < D; c++) { s += q[qo + c] * ks[c]; dp += dout[qo + c] * vs[c]; }
    let p = exp(s - lse[qrow]);
    let ds = p * (dp - delta[qrow]);
    for (var c = 0u; c < D; c++) { dvs[c] += p * dout[qo + c]; dks[c] += ds * q[qo + c]; }
  }
  for (var c = 0u; c < D; c++) { dk[ko + c] = dks[c] * params.scale; dv[ko + c] = dvs[c]; }
}`;

/** Multi-head attention of q [N, Lq, heads*d] over k, v [N, Lk, heads*d], with its gradient, on tfjs-backend-webgpu. */
export function webGpuAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [n, lq, inner] = q.shape;
  const lk = k.shape[1];
  const d = inner / heads;
  if (!Number.isInteger(d) || d > MAX_FUSED_HEAD_DIM) throw new Error(`attention: head width ${inner}/${heads} must be an integer up to ${MAX_FUSED_HEAD_DIM}`);
  if (k.shape[0] !== n || v.shape[0] !== n || k.shape[2] !== inner || v.shape[2] !== inner || v.shape[1] !== lk) {
    throw new Error(`attention: q [${q.shape}], k [${k.shape}], v [${v.shape}] do not match`);
  }
  const shape = { n, lq, lk, heads, d };
  const queryRows = n * heads * lq;
  const keyRows = n * heads * lk;
  return withGradient([q, k, v], ([qIn, kIn, vIn], save) => {
    const [o, lse] = asTensors(
      runWgsl({ key: `InkstoneAttention${d}`, source: () => forwardSource(d), inputs: [qIn!, kIn!, vIn!], outputs: [q.shape, [queryRows]], uniforms: uniformsOf(shape, queryRows), workgroups: grid(queryRows) }),
    );
    save([qIn!, kIn!, vIn!, o!, lse!]);
    return {
      value: o!,
      gradFunc: (dout, [qs, ks, vs, os, lses]) => {
        const [dq, delta] = runWgsl({
          key: `InkstoneAttentionQueryGrad${d}`,
          source: () => queryGradSource(d),
          inputs: [qs!, ks!, vs!, os!, dout, lses!],
          outputs: [q.shape, [queryRows]],
          uniforms: uniformsOf(shape, queryRows),
          workgroups: grid(queryRows),
        });
        const [dk, dv] = runWgsl({
          key: `InkstoneAttentionKeyValueGrad${d}`,
          source: () => keyValueGradSource(d),
          inputs: [qs!, ks!, vs!, dout, lses!, delta!],
          outputs: [k.shape, v.shape],
          uniforms: uniformsOf(shape, keyRows),
          workgroups: grid(keyRows),
        });
        disposeInfo(delta!);
        return asTensors([dq!, dk!, dv!]);
      },
    };
  }) as tf.Tensor3D;
}
