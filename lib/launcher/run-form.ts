/**
 * The new-run form: its fields (the trainer's flags, same names as the seed
 * script's), its presets, server-side validation with one message per field,
 * and the trainer command line it turns into.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ClientError } from "@/lib/errors";

// The trainer's choices and defaults (trainer/options.ts), repeated here so the
// web app does not bundle the trainer; test/dashboard/run-form.test.ts keeps them equal.
export const LR_SCHEDULERS = ["linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup"] as const;
export const DEFAULT_VALIDATION_PROMPTS = [
  "Bill Gates with a hoodie",
  "John Oliver with Naruto style",
  "Lebron James with a hat",
  "Mickael Jackson as a ninja",
];

export const PRESET_IDS = ["tiny", "naruto"] as const;
export type PresetId = (typeof PRESET_IDS)[number];

const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const looksLikePath = (s: string) => /^(\.{1,2}[\\/]|[\\/]|~)/.test(s);

/** A model or dataset: a folder on this machine, or a huggingface.co id (downloaded by the trainer). */
const modelOrFolder = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `enter a ${what} id or a local folder`)
    .max(1000)
    .refine((s) => !s.startsWith("-"), "must not start with '-'")
    .superRefine((s, ctx) => {
      if (fs.existsSync(path.resolve(s))) return;
      if (looksLikePath(s)) {
        const hint = s.includes("tiny") ? " (create the tiny demo with: npm run make-tiny -- --out data/tiny)" : "";
        ctx.addIssue({ code: "custom", message: `no folder ${s} on the server${hint}` });
      } else if (!HUB_ID.test(s)) {
        ctx.addIssue({ code: "custom", message: `neither a folder on the server nor a hub id like owner/name` });
      }
    });

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: "enter a whole number" })
    .int("enter a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const positive = (max: number) =>
  z.coerce.number({ message: "enter a number" }).refine(Number.isFinite, "enter a number").gt(0, "must be greater than 0").max(max, `must be at most ${max}`);
const optionalInt = (min: number, max: number) => z.preprocess((v) => (v === "" || v === null ? undefined : v), int(min, max).optional());
const bool = z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean());

export const runFormSchema = z.object({
  preset: z.enum(PRESET_IDS).optional(),
  name: z.string().trim().max(200, "at most 200 characters").optional(),
  project: z.string().trim().min(1, "enter a project").max(200, "at most 200 characters"),
  tags: z
    .preprocess(
      (v) => (typeof v === "string" ? v.split(",") : v),
      z.array(z.string().trim().max(64, "a tag is at most 64 characters")).max(32, "at most 32 tags"),
    )
    .transform((t) => [...new Set(t.filter(Boolean))]),
  pretrained_model_name_or_path: modelOrFolder("model"),
  dataset_name: modelOrFolder("dataset"),
  output_dir: z
    .string()
    .trim()
    .min(1, "enter a folder for checkpoints and the final model")
    .max(1000)
    .refine((s) => !s.startsWith("-"), "must not start with '-'"),
  resolution: int(8, 2048).refine((n) => n % 8 === 0, "must be a multiple of 8 (the VAE downsamples by 8)"),
  center_crop: bool,
  random_flip: bool,
  train_batch_size: int(1, 256),
  gradient_accumulation_steps: int(1, 1024),
  gradient_checkpointing: bool,
  max_train_steps: int(1, 10_000_000),
  learning_rate: positive(1),
  max_grad_norm: positive(1e6),
  lr_scheduler: z.enum(LR_SCHEDULERS, { message: `choose one of ${LR_SCHEDULERS.join(", ")}` }),
  lr_warmup_steps: int(0, 10_000_000),
  seed: optionalInt(0, 2 ** 32 - 1),
  use_ema: bool,
  checkpointing_steps: int(1, 10_000_000),
  validation_epochs: int(1, 100_000),
  validation_prompts: z
    .preprocess(
      (v) => (typeof v === "string" ? v.split("\n") : v),
      z.array(z.string().trim().max(500, "a prompt is at most 500 characters")),
    )
    .transform((p) => p.filter(Boolean))
    .pipe(
      z
        .array(z.string().refine((p) => !p.startsWith("-"), "a prompt must not start with '-'"))
        .min(1, "enter at least one prompt, one per line")
        .max(16, "at most 16 prompts"),
    ),
});
export type RunForm = z.output<typeof runFormSchema>;

/** The form's values as the browser holds them (text inputs, checkboxes). */
export type RunFormValues = Record<keyof RunForm, string | boolean>;

const SEED_PROMPTS = DEFAULT_VALIDATION_PROMPTS.join("\n");

export const PRESETS: Record<PresetId, { label: string; description: string; values: Omit<RunFormValues, "name" | "project" | "tags" | "preset"> }> = {
  tiny: {
    label: "Tiny demo (CPU, ~1 min)",
    description: "Trains the generated tiny model on the synthetic dataset, validating every epoch: curves and an image grid within a minute or two.",
    values: {
      pretrained_model_name_or_path: "./data/tiny/model",
      dataset_name: "./data/tiny/dataset",
      output_dir: "./data/outputs/tiny-demo",
      resolution: "64",
      center_crop: true,
      random_flip: true,
      train_batch_size: "2",
      gradient_accumulation_steps: "1",
      gradient_checkpointing: false,
      max_train_steps: "24",
      learning_rate: "1e-4",
      max_grad_norm: "1",
      lr_scheduler: "constant",
      lr_warmup_steps: "0",
      seed: "42",
      use_ema: true,
      checkpointing_steps: "500",
      validation_epochs: "1",
      validation_prompts: SEED_PROMPTS,
    },
  },
  naruto: {
    label: "SD1.5 Naruto (tutorial)",
    description: "The tutorial's exact hyperparameters: Stable Diffusion 1.5 on the Naruto BLIP captions (from the hub or local folders).",
    values: {
      pretrained_model_name_or_path: "runwayml/stable-diffusion-v1-5",
      dataset_name: "lambdalabs/naruto-blip-captions",
      output_dir: "sd-naruto-model",
      resolution: "512",
      center_crop: true,
      random_flip: true,
      train_batch_size: "1",
      gradient_accumulation_steps: "4",
      gradient_checkpointing: true,
      max_train_steps: "15000",
      learning_rate: "1e-05",
      max_grad_norm: "1",
      lr_scheduler: "constant",
      lr_warmup_steps: "0",
      seed: "42",
      use_ema: true,
      checkpointing_steps: "500",
      validation_epochs: "5",
      validation_prompts: SEED_PROMPTS,
    },
  },
};

/** The preset a machine without a GPU starts with. */
export function defaultPreset(hasGpu: boolean): PresetId {
  return hasGpu ? "naruto" : "tiny";
}

/** A bad form: one message per field, named like the inputs. */
export class FormError extends ClientError {
  constructor(readonly fields: Record<string, string>) {
    super(400, Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join("; "));
  }
}

export function parseRunForm(input: unknown): RunForm {
  const result = runFormSchema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? "form");
    fields[key] ??= issue.message;
  }
  throw new FormError(fields);
}

/** Flags in the order the form shows them; booleans are present or absent, values use --flag=value. */
const FLAG_ORDER = [
  "pretrained_model_name_or_path",
  "dataset_name",
  "use_ema",
  "resolution",
  "center_crop",
  "random_flip",
  "train_batch_size",
  "gradient_accumulation_steps",
  "gradient_checkpointing",
  "max_train_steps",
  "learning_rate",
  "max_grad_norm",
  "seed",
  "lr_scheduler",
  "lr_warmup_steps",
  "output_dir",
  "checkpointing_steps",
  "validation_epochs",
] as const satisfies ReadonlyArray<keyof RunForm>;

/** The trainer's arguments for a validated form (secrets never go here: they travel in the environment). */
export function trainerFlags(form: RunForm): string[] {
  const flags: string[] = [];
  for (const key of FLAG_ORDER) {
    const value = form[key];
    if (value === undefined || value === false) continue;
    flags.push(value === true ? `--${key}` : `--${key}=${value}`);
  }
  flags.push(`--tracker_project_name=${form.project}`);
  flags.push("--validation_prompts", ...form.validation_prompts);
  return flags;
}

/** The run's config as the dashboard shows it: every trainer option the form set. */
export function formConfig(form: RunForm): Record<string, unknown> {
  const { preset: _preset, name: _name, project: _project, tags: _tags, ...options } = form;
  return options;
}
