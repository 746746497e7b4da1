/** TensorFlow.js backends in order of preference: native TensorFlow, then GPU in-process, then wasm, then pure JS. */
export const BACKENDS = ["tensorflow", "webgpu", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];
