import * as tf from "@tensorflow/tfjs";

/**
 * A non-trainable variable (optimizer or EMA state) that takes over `init`: tf.variable shares the
 * tensor's data but leaves the tensor itself registered, so it is disposed here.
 */
export function stateVariable(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}
