import * as tf from "@tensorflow/tfjs";

/** Stride and explicit padding of an NHWC conv2d, as its gradient kernels receive them. */
export interface ConvGeometry {
  strideH: number;
  strideW: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  outHeight: number;
  outWidth: number;
}

/** Conv attributes as tfjs passes them to Conv2DBackpropInput/Filter kernels. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** Resolves tfjs' padding modes to explicit edges, exactly as the forward conv did. */
export function convGeometry(xShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  if (attrs.dataFormat !== "NHWC") throw new Error(`conv gradient kernels support NHWC only, got ${attrs.dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  return {
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    top,
    bottom,
    left,
    right,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}

/** Pads (positive) or crops (negative) the spatial edges of an NHWC tensor, with no kernel call for edges left alone. */
export function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const edges = [top, bottom, left, right];
  const padded = edges.some((e) => e > 0)
    ? tf.pad(x, [
        [0, 0],
        [Math.max(top, 0), Math.max(bottom, 0)],
        [Math.max(left, 0), Math.max(right, 0)],
        [0, 0],
      ])
    : x;
  if (!edges.some((e) => e < 0)) return padded;
  const [n, h, w, c] = padded.shape;
  const cropTop = Math.max(-top, 0);
  const cropLeft = Math.max(-left, 0);
  return tf.slice(padded, [0, cropTop, cropLeft, 0], [n, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c]);
}

/** Kernels get TensorInfos; ops need Tensors. Ops pass real Tensors, so this rarely wraps. */
export function asTensor<T extends tf.Tensor>(inputs: tf.NamedTensorInfoMap, name: string): T {
  const info = inputs[name];
  if (info === undefined) throw new Error(`kernel input "${name}" is missing`);
  if (info instanceof tf.Tensor) return info as T;
  return tf.engine().makeTensorFromTensorInfo(info) as T;
}

/** The kernel config of a conv gradient: tfjs names its two tensors and gives the shape to produce as an attribute. */
export function convGradientKernel(
  kernelName: string,
  [first, second]: [string, string],
  shapeAttr: string,
  gradient: (a: tf.Tensor4D, b: tf.Tensor4D, shape: number[], attrs: ConvAttrs) => tf.Tensor4D,
): (backendName: string) => tf.KernelConfig {
  return (backendName) => ({
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs = {} }) =>
      gradient(asTensor(inputs, first), asTensor(inputs, second), attrs[shapeAttr] as number[], attrs as unknown as ConvAttrs),
  });
}
