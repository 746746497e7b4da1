/**
 * Saves a pipeline the way diffusers' `StableDiffusionPipeline.save_pretrained`
 * does at the end of the seed script: model_index.json, and per component a
 * config plus safetensors weights with the same file names, keys and configs
 * (stamped with _class_name / _diffusers_version), float32 by default or the
 * fp16 variant (`*.fp16.safetensors`) when asked. Trained components are
 * written from their modules; the others (tokenizer, scheduler, feature
 * extractor, safety checker) are copied from the source pipeline.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as tf from "@tensorflow/tfjs";
import type { Module } from "./nn/module";
import { filesToDownload } from "./hub";
import { readComponent, readComponentConfig, readModelIndex } from "./weights/diffusers_loader";
import { writeSafetensors } from "./weights/safetensors";

/** The diffusers release the seed script pins; saved configs carry it like diffusers stamps its own. */
export const DIFFUSERS_VERSION = "0.29.0";

export interface SaveOptions {
  /** "fp16" writes half-precision `*.fp16.safetensors` files; absent writes float32 without a suffix. */
  variant?: "fp16";
  /** The variant the source pipeline was loaded with (--variant); copied weights are converted from it. */
  sourceVariant?: string;
  /** The --pretrained_model_name_or_path the pipeline was loaded from (recorded as `_name_or_path`). */
  nameOrPath?: string;
}

/** Keys sorted at every level, two-space indent, trailing newline: json.dumps(indent=2, sort_keys=True). */
export function configJson(config: Record<string, unknown>): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return `${JSON.stringify(sorted(config), null, 2)}\n`;
}

/** The weight file name a library writes: diffusers models and transformers models differ. */
function weightsFileName(library: string, variant?: string): string {
  const base = library === "transformers" ? "model" : "diffusion_pytorch_model";
  return variant ? `${base}.${variant}.safetensors` : `${base}.safetensors`;
}

/** A component's config as its library saves it. */
function stampedConfig(
  config: Record<string, unknown>,
  library: string,
  className: string,
  opts: SaveOptions,
): Record<string, unknown> {
  const out = { ...config };
  if (library === "transformers") {
    out.architectures = [className];
    out.torch_dtype = opts.variant === "fp16" ? "float16" : "float32";
  } else {
    out._class_name = className;
    out._diffusers_version = DIFFUSERS_VERSION;
  }
  if (opts.nameOrPath !== undefined) out._name_or_path = opts.nameOrPath;
  return out;
}

/** Writes one component: its stamped config and its torch-layout weights as safetensors. */
export async function saveComponent(
  dir: string,
  weights: Map<string, tf.Tensor>,
  config: Record<string, unknown>,
  [library, className]: [string, string],
  opts: SaveOptions = {},
): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  await fs.promises.writeFile(path.join(dir, "config.json"), configJson(stampedConfig(config, library, className, opts)));
  await writeSafetensors(path.join(dir, weightsFileName(library, opts.variant)), weights, {
    dtype: opts.variant === "fp16" ? "F16" : "F32",
    metadata: { format: "pt" },
  });
}

/** Writes one model component from its module's parameters. */
export async function saveModelComponent(
  dir: string,
  model: Module,
  config: Record<string, unknown>,
  spec: [string, string],
  opts: SaveOptions = {},
): Promise<void> {
  const weights = model.stateDict();
  try {
    await saveComponent(dir, weights, config, spec, opts);
  } finally {
    weights.forEach((t) => t.dispose());
  }
}

/**
 * Copies a component folder's configs and tokenizer files, and its weights in the
 * saved dtype: a plain file copy when the source file already has the wanted
 * variant, else re-encoded (e.g. a source fp16 variant saved as float32).
 */
async function copyComponent(
  sourceDir: string,
  outputDir: string,
  component: string,
  library: string,
  opts: SaveOptions,
): Promise<void> {
  const src = path.join(sourceDir, component);
  const names = fs.readdirSync(src).filter((f) => fs.statSync(path.join(src, f)).isFile());
  const chosen = filesToDownload(names.map((n) => `${component}/${n}`), "model", opts.sourceVariant ?? opts.variant);
  await fs.promises.mkdir(path.join(outputDir, component), { recursive: true });
  const sameVariant = (opts.sourceVariant ?? undefined) === opts.variant;
  const weightFiles = chosen.filter((rel) => rel.endsWith(".safetensors"));
  for (const rel of chosen) {
    if (sameVariant || !weightFiles.includes(rel)) {
      await fs.promises.copyFile(path.join(sourceDir, rel), path.join(outputDir, rel));
    }
  }
  if (!sameVariant && weightFiles.length) {
    const { weights } = await readComponent(sourceDir, component, { variant: opts.sourceVariant });
    try {
      await writeSafetensors(path.join(outputDir, component, weightsFileName(library, opts.variant)), weights, {
        dtype: opts.variant === "fp16" ? "F16" : "F32",
        metadata: { format: "pt" },
      });
    } finally {
      weights.forEach((t) => t.dispose());
    }
  }
}

/**
 * Saves the pipeline found at `sourceDir`, with `trained` components (e.g. unet,
 * vae, text_encoder) taken from the given modules, into `outputDir`.
 */
export async function savePipeline(
  outputDir: string,
  sourceDir: string,
  trained: Record<string, Module>,
  opts: SaveOptions = {},
): Promise<void> {
  const index = await readModelIndex(sourceDir);
  await fs.promises.mkdir(outputDir, { recursive: true });
  for (const [component, spec] of Object.entries(index)) {
    if (component.startsWith("_") || !Array.isArray(spec) || spec[0] === null) continue;
    const [library, className] = spec as [string, string];
    const model = trained[component];
    if (model) {
      const config = await readComponentConfig(sourceDir, component);
      await saveModelComponent(path.join(outputDir, component), model, config, [library, className], opts);
    } else if (fs.existsSync(path.join(sourceDir, component))) {
      await copyComponent(sourceDir, outputDir, component, library, opts);
      const schedulerConfig = path.join(outputDir, component, "scheduler_config.json");
      if (fs.existsSync(schedulerConfig)) {
        const config = await readComponentConfig(sourceDir, component);
        await fs.promises.writeFile(schedulerConfig, configJson(stampedConfig(config, library, className, {})));
      }
    }
  }
  const missing = Object.keys(trained).filter((c) => !(c in index));
  if (missing.length) throw new Error(`savePipeline: ${missing.join(", ")} not in ${sourceDir}/model_index.json`);
  const modelIndex: Record<string, unknown> = { ...index, _diffusers_version: DIFFUSERS_VERSION };
  if (opts.nameOrPath !== undefined) modelIndex._name_or_path = opts.nameOrPath;
  await fs.promises.writeFile(path.join(outputDir, "model_index.json"), configJson(modelIndex));
}
