import * as tf from "@tensorflow/tfjs";
import { asTensors, runWgsl, withGradient, type Uniform } from "./run_wgsl";
import { bindings, ERF, FLAT_WORKGROUP, grid, MAIN, WORKGROUP } from "./wgsl";

/**
 * SiLU and GEGLU as one WGSL dispatch each way, where tf ops take 2-8 forward and more backward.
 * Both keep only their input for the backward.
 */

const SILU = /* wgsl */ `
fn silu(h: f32) -> f32 { return h / (1.0 + exp(-h)); }
fn siluSlope(h: f32) -> f32 { let s = 1.0 / (1.0 + exp(-h)); return s * (1.0 + h * (1.0 - s)); }
`;

/** Exact GELU, 0.5 g (1 + erf(g / sqrt 2)), and its slope. */
const GELU = /* wgsl */ `
${ERF}
fn gelu(g: f32) -> f32 { return 0.5 * g * (1.0 + erf(g * 0.70710678118654752)); }
fn geluSlope(g: f32) -> f32 { return 0.5 * (1.0 + erf(g * 0.70710678118654752)) + g * exp(-0.5 * g * g) * 0.39894228040143268; }
`;

/** An elementwise shader over uniforms.count items: body sees `i`. */
const elementwise = (bindings: string, helpers: string, body: string): string => /* wgsl */ `
struct Params { count: u32, width: u32 };
${bindings}
${FLAT_WORKGROUP}
${helpers}
${MAIN} {
  let i = flatWorkgroup(wid, nwg) * ${WORKGROUP}u + lid;
  if (i >= params.count) { return; }
  ${body}
}`;

const countUniforms = (count: number, width = 0): Uniform[] => [{ type: "uint32", data: [count, width] }];

const SILU_FORWARD = elementwise(
  bindings(["y"], ["x"]),
  SILU,
  "y[i] = silu(x[i]);",
);

const SILU_BACKWARD = elementwise(
  bindings(["dx"], ["dy", "x"]),
  SILU,
  "dx[i] = dy[i] * siluSlope(x[i]);",
);

/** x * sigmoid(x) with its gradient, on tfjs-backend-webgpu. */
export function webGpuSilu<T extends tf.Tensor>(x: T): T {
  const uniforms = countUniforms(x.size);
  const workgroups = grid(x.size);
  return withGradient([x], ([xIn], save) => {
    save([xIn!]);
    const [y] = asTensors(runWgsl({ key: "InkstoneSilu", source: () => SILU_FORWARD, inputs: [xIn!], outputs: [x.shape], uniforms, workgroups }));
    return {
      value: y!,
      gradFunc: (dy, [xs]) => asTensors(runWgsl({ key: "InkstoneSiluGrad", source: () => SILU_BACKWARD, inputs: [dy, xs!], outputs: [x.shape], uniforms, workgroups })),
    };
  }) as T;
}

// GEGLU: p [..., 2W] holds the value in its first W channels and the gate in the last W; i runs over [..., W].
const GEGLU_INDEX = "let row = i / params.width; let col = i % params.width; let v = row * 2u * params.width + col; let g = v + params.width;";

const GEGLU_FORWARD = elementwise(
  bindings(["y"], ["p"]),
  GELU,
  `${GEGLU_INDEX}
  y[i] = p[v] * gelu(p[g]);`,
);

const GEGLU_BACKWARD = elementwise(
  bindings(["dp"], ["dy", "p"]),
  GELU,
  `${GEGLU_INDEX}
  dp[v] = dy[i] * gelu(p[g]);
  dp[g] = dy[i] * p[v] * geluSlope(p[g]);`,
);

/** value * gelu(gate) for p = [value, gate] split in halves along the last axis, with its gradient. */
export function webGpuGeglu(p: tf.Tensor): tf.Tensor {
  const width = p.shape.at(-1)! / 2;
  if (!Number.isInteger(width)) throw new Error(`GEGLU: the last axis (${p.shape.at(-1)}) must split in two halves`);
  const outShape = [...p.shape.slice(0, -1), width];
  const count = p.size / 2;
  const uniforms = countUniforms(count, width);
  const workgroups = grid(count);
  return withGradient([p], ([pIn], save) => {
    save([pIn!]);
    const [y] = asTensors(runWgsl({ key: "InkstoneGeglu", source: () => GEGLU_FORWARD, inputs: [pIn!], outputs: [outShape], uniforms, workgroups }));
    return {
      value: y!,
      gradFunc: (dy, [ps]) => asTensors(runWgsl({ key: "InkstoneGegluGrad", source: () => GEGLU_BACKWARD, inputs: [dy, ps!], outputs: [p.shape], uniforms, workgroups })),
    };
  });
}
