/** How the new-run form lays out the trainer's flags (names as the seed script's), grouped as on the page. */
export type FieldKind = "text" | "number" | "checkbox" | "select" | "prompts";

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  options?: readonly string[];
  placeholder?: string;
}

export interface FieldGroup {
  title: string;
  fields: FieldSpec[];
}

export function formGroups(lrSchedulers: readonly string[]): FieldGroup[] {
  return [
    {
      title: "Run",
      fields: [
        { name: "name", label: "Run name", kind: "text", placeholder: "optional, e.g. naruto-lr1e-5" },
        { name: "project", label: "Project", kind: "text" },
        { name: "tags", label: "Tags", kind: "text", hint: "Comma separated.", placeholder: "baseline, sd15" },
      ],
    },
    {
      title: "Model and data",
      fields: [
        { name: "pretrained_model_name_or_path", label: "Model", kind: "text", hint: "A hub id (runwayml/stable-diffusion-v1-5) or a folder on the server in diffusers layout." },
        { name: "dataset_name", label: "Dataset", kind: "text", hint: "A hub id (lambdalabs/naruto-blip-captions) or a folder on the server." },
        { name: "output_dir", label: "Output folder", kind: "text", hint: "Checkpoints and the final pipeline go here, under the server's data/outputs/. Empty: a folder of the run's own.", placeholder: "<run id>" },
      ],
    },
    {
      title: "Training",
      fields: [
        { name: "resolution", label: "resolution", kind: "number", hint: "Multiple of 8." },
        { name: "train_batch_size", label: "train_batch_size", kind: "number" },
        { name: "gradient_accumulation_steps", label: "gradient_accumulation_steps", kind: "number" },
        { name: "max_train_steps", label: "max_train_steps", kind: "number" },
        { name: "learning_rate", label: "learning_rate", kind: "text" },
        { name: "lr_scheduler", label: "lr_scheduler", kind: "select", options: lrSchedulers },
        { name: "lr_warmup_steps", label: "lr_warmup_steps", kind: "number" },
        { name: "max_grad_norm", label: "max_grad_norm", kind: "text" },
        { name: "seed", label: "seed", kind: "number", hint: "Empty for a random seed." },
        { name: "checkpointing_steps", label: "checkpointing_steps", kind: "number" },
        { name: "use_ema", label: "use_ema", kind: "checkbox" },
        { name: "center_crop", label: "center_crop", kind: "checkbox" },
        { name: "random_flip", label: "random_flip", kind: "checkbox" },
        { name: "gradient_checkpointing", label: "gradient_checkpointing", kind: "checkbox" },
      ],
    },
    {
      title: "Validation",
      fields: [
        { name: "validation_prompts", label: "validation_prompts", kind: "prompts", hint: "One prompt per line; one image per prompt at each validation epoch." },
        { name: "validation_epochs", label: "validation_epochs", kind: "number", hint: "Validate every N epochs." },
      ],
    },
  ];
}
