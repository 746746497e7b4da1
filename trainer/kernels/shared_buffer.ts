import * as tf from "@tensorflow/tfjs";
import { wrapBuiltin } from "./wrap_builtin";

/**
 * Identity, and Cast to the input's own dtype, as a second reference to the input's buffer, as
 * the cpu and webgl backends do (tfjs tensors are immutable; the buffer is freed with its last
 * reference). wasm's own kernels copy: while recording gradients tfjs clones every tensor a
 * gradient needs, and each clone's gradient is a Cast, thousands of copies per training step.
 */
function shareBuffer(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: "Identity",
  backendName,
  kernelFunc: ({ inputs, backend }) => shareBuffer(backend as tf.KernelBackend, inputs.x!),
});

export const castConfig = (backendName: string): tf.KernelConfig =>
  wrapBuiltin("Cast", backendName, (builtin) => (args) => {
    const x = args.inputs.x!;
    return x.dtype === (args.attrs as { dtype: tf.DataType }).dtype ? shareBuffer(args.backend as tf.KernelBackend, x) : builtin.kernelFunc(args);
  });
