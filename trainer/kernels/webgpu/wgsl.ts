/**
 * WGSL pieces the fused WebGPU kernels share: workgroup sizes, a flat index over a 2-D grid of
 * workgroups (one dimension holds at most 65,535), a workgroup-wide sum, and erf.
 */

/** Threads per workgroup of every fused kernel (WebGPU's default limit). */
export const WORKGROUP = 256;
const MAX_PER_DIMENSION = 65535;

/** Workgroups for `count` items of `perWorkgroup` each, as a [x, y] grid (the shader flattens it with flatWorkgroup). */
export function grid(count: number, perWorkgroup = WORKGROUP): [number, number] {
  const groups = Math.max(1, Math.ceil(count / perWorkgroup));
  const x = Math.min(groups, MAX_PER_DIMENSION);
  return [x, Math.ceil(groups / x)];
}

/**
 * The shader's bindings in runWgsl's order: the outputs (read_write storage), the inputs (read
 * storage), then `params`, a uniform of the shader's struct Params. Arrays are of f32 unless a name
 * is written "name: elementType".
 */
export function bindings(outputs: string[], inputs: string[]): string {
  const declare = (name: string, access: string, binding: number): string => {
    const [id, element = "f32"] = name.split(":").map((part) => part.trim());
    return `@group(0) @binding(${binding}) var<storage, ${access}> ${id}: array<${element}>;`;
  };
  return [
    ...outputs.map((name, i) => declare(name, "read_write", i)),
    ...inputs.map((name, i) => declare(name, "read", outputs.length + i)),
    `@group(0) @binding(${outputs.length + inputs.length}) var<uniform> params: Params;`,
  ].join("\n");
}

/** `fn flatWorkgroup(wid, nwg) -> u32`: the workgroup's index in a grid() dispatch. */
export const FLAT_WORKGROUP = /* wgsl */ `
fn flatWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.y * nwg.x + wid.x; }
`;

/** The entry point's header: `main` with the built-ins the kernels read. */
export const MAIN = /* wgsl */ `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

/**
 * `fn workgroupSum(v, t) -> vec2<f32>`: the sum of v over the workgroup's threads (t is the thread's
 * index), returned to all. Call from uniform control flow only.
 */
export const WORKGROUP_SUM = /* wgsl */ `
var<workgroup> partial: array<vec2<f32>, ${WORKGROUP}>;
fn workgroupSum(v: vec2<f32>, t: u32) -> vec2<f32> {
  partial[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { partial[t] = partial[t] + partial[t + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}
`;

/** Columns per workgroup of the column reductions; the workgroup's other threads split the rows. */
export const COLUMNS = 32;

/**
 * For column reductions, thread lid = lane * COLUMNS + column: `fn columnTotal(v, lid) -> vec2<f32>`
 * sums v over the row lanes of the thread's column, the total valid in lane 0 (lid < COLUMNS).
 * Call from uniform control flow.
 */
export const COLUMN_TOTAL = /* wgsl */ `
const COLUMNS = ${COLUMNS}u;
const ROW_LANES = ${WORKGROUP / COLUMNS}u;
var<workgroup> lanes: array<vec2<f32>, ${WORKGROUP}>;
fn columnTotal(v: vec2<f32>, lid: u32) -> vec2<f32> {
  lanes[lid] = v;
  workgroupBarrier();
  var total = vec2<f32>(0.0, 0.0);
  if (lid < COLUMNS) {
    for (var i = 0u; i < ROW_LANES; i++) { total += lanes[i * COLUMNS + lid]; }
  }
  return total;
}
`;

/**
 * `fn erf(x) -> f32`: Abramowitz and Stegun 7.1.26 (error under 1.5e-7), the approximation
 * tfjs's own Erf kernels use, so fused and unfused GELU agree.
 */
export const ERF = /* wgsl */ `
fn erf(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-a * a));
}
`;
