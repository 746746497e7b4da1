import * as fs from "node:fs";
import * as path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { readSafetensors } from "./safetensors";

/**
 * Reads a pipeline saved in the diffusers layout:
 *   model_index.json, and per component folder a config (config.json, or
 *   scheduler_config.json for schedulers) plus weights named
 *   diffusion_pytorch_model[.variant].safetensors (diffusers models) or
 *   model[.variant].safetensors (transformers models), possibly sharded behind
 *   a *.safetensors.index[.variant].json that maps each key to its shard file.
 */

/** The weight file base names diffusers and transformers write, in lookup order. */
const WEIGHT_BASENAMES = ["diffusion_pytorch_model", "model"];

export async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`missing file ${file}`);
    throw e;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

export async function readModelIndex(pipelineDir: string): Promise<Record<string, unknown>> {
  return readJson(path.join(pipelineDir, "model_index.json"));
}

/** A component's config: config.json, or scheduler_config.json for schedulers. */
export async function readComponentConfig(pipelineDir: string, subfolder: string): Promise<Record<string, unknown>> {
  const dir = path.join(pipelineDir, subfolder);
  const candidates = ["config.json", "scheduler_config.json"].map((f) => path.join(dir, f));
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`missing file ${candidates[0]} (no config in ${dir})`);
  return readJson(found);
}

/** `name.ext` -> `name.variant.ext`, the way diffusers and transformers name variant files. */
function withVariant(fileName: string, variant?: string): string {
  if (!variant) return fileName;
  const dot = fileName.lastIndexOf(".");
  return `${fileName.slice(0, dot)}.${variant}${fileName.slice(dot)}`;
}

/** The weight files of one component: a single file, or every shard named by an index. */
async function findWeightFiles(dir: string, variant?: string): Promise<string[]> {
  const tried: string[] = [];
  for (const base of WEIGHT_BASENAMES) {
    const single = path.join(dir, withVariant(`${base}.safetensors`, variant));
    tried.push(single);
    if (fs.existsSync(single)) return [single];
    const index = path.join(dir, withVariant(`${base}.safetensors.index.json`, variant));
    tried.push(index);
    if (fs.existsSync(index)) {
      const weightMap = (await readJson(index)).weight_map as Record<string, string> | undefined;
      if (!weightMap) throw new Error(`${index}: no weight_map`);
      const shards = [...new Set(Object.values(weightMap))].map((f) => path.join(dir, f));
      const absent = shards.filter((f) => !fs.existsSync(f));
      if (absent.length) throw new Error(`missing file ${absent[0]} (a shard listed in ${index})`);
      return shards;
    }
  }
  const plainExists = variant && WEIGHT_BASENAMES.some((base) => fs.existsSync(path.join(dir, `${base}.safetensors`)));
  const hint = plainExists ? " (weights without the variant exist: drop the variant?)" : "";
  throw new Error(`missing weights in ${dir}: none of ${tried.map((f) => path.basename(f)).join(", ")} exists${hint}`);
}

/**
 * One component's config and weights, keys and torch layouts exactly as stored,
 * floats upcast to float32. The caller disposes the tensors.
 */
export async function readComponent(
  pipelineDir: string,
  subfolder: string,
  opts: { variant?: string } = {},
): Promise<{ config: Record<string, unknown>; weights: Map<string, tf.Tensor> }> {
  const config = await readComponentConfig(pipelineDir, subfolder);
  const files = await findWeightFiles(path.join(pipelineDir, subfolder), opts.variant);
  const weights = new Map<string, tf.Tensor>();
  try {
    for (const file of files) {
      const shard = await readSafetensors(file);
      const repeated = [...shard.keys()].find((key) => weights.has(key));
      if (repeated) {
        shard.forEach((t) => t.dispose());
        throw new Error(`${file}: key ${repeated} also appears in another shard`);
      }
      shard.forEach((t, key) => weights.set(key, t));
    }
  } catch (e) {
    weights.forEach((t) => t.dispose());
    throw e;
  }
  return { config, weights };
}
