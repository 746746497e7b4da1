import * as tf from "@tensorflow/tfjs";

/** PyTorch's [N, C, H, W] to the [N, H, W, C] the models compute in. */
export function nchwToNhwc(x: tf.Tensor): tf.Tensor4D {
  return tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
}

/** [N, H, W, C] back to PyTorch's [N, C, H, W]. */
export function nhwcToNchw(x: tf.Tensor): tf.Tensor4D {
  return tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D;
}
