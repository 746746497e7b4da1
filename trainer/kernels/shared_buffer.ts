import * as tf from "@tensorflow/tfjs";

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

export function castConfig(backendName: string): tf.KernelConfig {
  const builtin = tf.getKernel("Cast", backendName);
  if (!builtin) throw new Error(`no built-in Cast to wrap on ${backendName}`);
  if ((builtin as { wrapped?: true }).wrapped) return builtin;
  const config: tf.KernelConfig & { wrapped: true } = {
    kernelName: "Cast",
    backendName,
    wrapped: true,
    kernelFunc: (args) => {
      const x = args.inputs.x!;
      return x.dtype === (args.attrs as { dtype: tf.DataType }).dtype ? shareBuffer(args.backend as tf.KernelBackend, x) : builtin.kernelFunc(args);
    },
  };
  return config;
}
