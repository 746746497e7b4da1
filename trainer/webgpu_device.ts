/// <reference types="@webgpu/types/dist" />

/**
 * The GPU device the trainer runs tfjs-backend-webgpu on: what tfjs itself requests (timestamp
 * queries, its workgroup and buffer-size limits) plus the adapter's storage buffers per shader
 * stage, since the multi-tensor kernels (trainer/training/multi_tensor_webgpu.ts) bind one
 * buffer per tensor and WebGPU's default is 8.
 */
export async function requestTrainerDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const limits = adapter.limits;
  const requiredFeatures: GPUFeatureName[] = adapter.features.has("timestamp-query") ? ["timestamp-query"] : [];
  return adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
}
