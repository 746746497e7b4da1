import * as tf from "@tensorflow/tfjs";

/**
 * A kernel that handles some cases itself and hands the rest to the backend's
 * built-in kernel of the same name. Registering it again (registerWasmKernels is
 * safe to call twice) returns the wrapper already registered, never a wrapper of it.
 */
export function wrapBuiltin(kernelName: string, backendName: string, wrap: (builtin: tf.KernelConfig) => tf.KernelFunc): tf.KernelConfig {
  const builtin = tf.getKernel(kernelName, backendName);
  if (!builtin) throw new Error(`no built-in ${kernelName} to wrap on ${backendName}`);
  if ((builtin as { wrapped?: true }).wrapped) return builtin;
  const config: tf.KernelConfig & { wrapped: true } = { kernelName, backendName, wrapped: true, kernelFunc: wrap(builtin) };
  return config;
}
