import * as tf from "@tensorflow/tfjs";
import { wrapBuiltin } from "../wrap_builtin";
import { runWgsl } from "./run_wgsl";
import { bindings, COLUMN_TOTAL, COLUMNS, MAIN } from "./wgsl";

/**
 * Sum over every axis but the last, as one WGSL dispatch: the gradient of each broadcast bias add
 * (convolutions, linears, the resnets' time embedding). tfjs-backend-webgpu transposes the input to
 * put the reduced axes last, then reduces: two dispatches and a copy of the activations. Other sums go
 * to the built-in kernel.
 */

const SOURCE = /* wgsl */ `
struct Params { rows: u32, columns: u32 };
${bindings(["y"], ["x"])}
${COLUMN_TOTAL}
${MAIN} {
  let c = wid.x * COLUMNS + lid % COLUMNS;
  var sum = 0.0;
  if (c < params.columns) {
    for (var r = lid / COLUMNS; r < params.rows; r += ROW_LANES) { sum += x[r * params.columns + c]; }
  }
  let total = columnTotal(vec2<f32>(sum, 0.0), lid);
  if (lid < COLUMNS && c < params.columns) { y[c] = total.x; }
}`;

/** Whether a Sum reduces exactly the axes before the last of a non-empty float32 tensor of rank >= 2. */
function isLeadingAxesSum(x: tf.TensorInfo, axis: number | number[]): boolean {
  const rank = x.shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  return x.dtype === "float32" && rank >= 2 && tf.util.sizeFromShape(x.shape) > 0 && axes.length === rank - 1 && axes.every((a, i) => a === i);
}

/** The Sum kernel for webgpu: leading-axes sums here, the rest built in. */
export function columnSumConfig(): tf.KernelConfig {
  return wrapBuiltin("Sum", "webgpu", (builtin) => (args) => {
    const x = args.inputs.x!;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (!isLeadingAxesSum(x, axis)) return builtin.kernelFunc(args);
    const columns = x.shape.at(-1)!;
    const shape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), columns] : [columns];
    const [y] = runWgsl({
      key: "InkstoneColumnSum",
      source: () => SOURCE,
      inputs: [x],
      outputs: [shape],
      uniforms: [{ type: "uint32", data: [tf.util.sizeFromShape(x.shape) / columns, columns] }],
      workgroups: [Math.ceil(columns / COLUMNS)],
    });
    return y!;
  });
}
