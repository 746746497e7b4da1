import * as tf from "@tensorflow/tfjs";
import { convGeometry, convGradientKernel, padOrCrop, type ConvAttrs } from "./conv_geometry";

/**
 * dW[a,b,ci,co] = sum over batch and output pixels of x(at tap a,b) * dy.
 * That is itself a conv: channels of x act as the batch, the batch as the
 * contracted channel, and dy is the filter, dilated by the forward stride.
 * (The wasm backend has no such kernel; its forward Conv2D is its fastest op.)
 */
export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const g = convGeometry(x.shape, filterShape, attrs);
    const [, inH, inW] = x.shape;
    // Crop or pad so that a dy-sized filter dilated by the stride yields exactly kh x kw outputs.
    const bottom = (g.outHeight - 1) * g.strideH + kh - inH - g.top;
    const right = (g.outWidth - 1) * g.strideW + kw - inW - g.left;
    const channelsAsBatch = tf.transpose(padOrCrop(x, g.top, bottom, g.left, right), [3, 1, 2, 0]) as tf.Tensor4D;
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const grad = tf.conv2d(channelsAsBatch, dyAsFilter, 1, "valid", "NHWC", [g.strideH, g.strideW]);
    return tf.transpose(grad, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

export const conv2dBackpropFilterConfig = convGradientKernel("Conv2DBackpropFilter", ["x", "dy"], "filterShape", conv2dBackpropFilter);
