import type * as tf from "@tensorflow/tfjs";
import type { Module } from "../nn/module";
import { readComponent } from "../weights/diffusers_loader";

export interface PretrainedOptions {
  variant?: string;
  /** The component's folder inside the pipeline directory. */
  subfolder?: string;
}

/**
 * Builds a model from a pipeline component's config and loads its weights
 * (after an optional key rewrite), disposing the read tensors either way.
 */
export async function loadComponent<M extends Module>(
  pipelineDir: string,
  subfolder: string,
  variant: string | undefined,
  build: (config: Record<string, unknown>) => M,
  load: (model: M, weights: Map<string, tf.Tensor>) => void = (model, weights) => model.loadStateDict(weights),
): Promise<M> {
  const { config, weights } = await readComponent(pipelineDir, subfolder, { variant });
  try {
    const model = build(config);
    load(model, weights);
    return model;
  } finally {
    weights.forEach((t) => t.dispose());
  }
}
