/** The new-run form's validation and the trainer command line it produces. */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { formGroups } from "@/components/launch/form-fields";
import { FormError, PRESETS, parseRunForm, trainerFlags } from "@/lib/server/launcher/run-form";
import { FORM_FLAG_NAMES, LR_SCHEDULER_CHOICES } from "@/trainer/flags";
import { datasetRows } from "@/trainer/tiny/pictures";
import { DEFAULT_VALIDATION_PROMPTS, parseOptions } from "@/trainer/options";

const NO_ENV = {} as NodeJS.ProcessEnv;
const naruto = { project: "naruto", tags: "", ...PRESETS.naruto.values };

function fieldErrors(input: unknown): Record<string, string> {
  try {
    parseRunForm(input);
  } catch (err) {
    if (err instanceof FormError) return err.fields;
    throw err;
  }
  assert.fail("the form was accepted");
}

test("the tutorial preset gives exactly the seed's flags", () => {
  const flags = trainerFlags(parseRunForm(naruto));
  for (const f of [
    "--use_ema",
    "--resolution=512",
    "--center_crop",
    "--random_flip",
    "--train_batch_size=1",
    "--gradient_accumulation_steps=4",
    "--gradient_checkpointing",
    "--max_train_steps=15000",
    "--learning_rate=0.00001",
    "--max_grad_norm=1",
    "--seed=42",
    "--lr_scheduler=constant",
    "--lr_warmup_steps=0",
    `--output_dir=${path.resolve("data", "outputs", "sd-naruto-model")}`,
    "--pretrained_model_name_or_path=runwayml/stable-diffusion-v1-5",
    "--dataset_name=lambdalabs/naruto-blip-captions",
  ]) {
    assert.ok(flags.includes(f), `missing ${f} in ${flags.join(" ")}`);
  }
  const { options } = parseOptions(flags, NO_ENV);
  assert.equal(options.learning_rate, 1e-5);
  assert.equal(options.max_train_steps, 15000);
  assert.equal(options.gradient_accumulation_steps, 4);
  assert.equal(options.use_ema, true);
  assert.equal(options.tracker_project_name, "naruto");
  assert.deepEqual(options.validation_prompts, DEFAULT_VALIDATION_PROMPTS);
});

test("the form shows the flags trainer/flags.ts marks for it, with the trainer's choices", () => {
  const fields = formGroups().flatMap((g) => g.fields);
  const flagFields = fields.filter((f) => !["name", "project", "tags"].includes(f.name));
  assert.deepEqual(flagFields.map((f) => f.name).sort(), [...FORM_FLAG_NAMES].sort());
  assert.deepEqual(fields.find((f) => f.name === "lr_scheduler")?.options, LR_SCHEDULER_CHOICES);
  assert.equal(fields.find((f) => f.name === "use_ema")?.kind, "checkbox");
  assert.equal(fields.find((f) => f.name === "validation_prompts")?.kind, "prompts");
  for (const p of Object.values(PRESETS)) assert.deepEqual(Object.keys(p.values).sort(), [...FORM_FLAG_NAMES].sort(), p.label);
});

test("every schedule the form offers is one the trainer accepts", () => {
  for (const s of LR_SCHEDULER_CHOICES) {
    const flags = trainerFlags(parseRunForm({ ...naruto, lr_scheduler: s }));
    assert.equal(parseOptions(flags, NO_ENV).options.lr_scheduler, s);
  }
  assert.match(fieldErrors({ ...naruto, lr_scheduler: "piecewise_constant" }).lr_scheduler, /choose one of/);
});

test("an empty seed leaves the trainer's default; an empty output folder is left to the launcher", () => {
  const form = parseRunForm({ ...naruto, seed: "", output_dir: "" });
  assert.equal(form.seed, undefined);
  assert.equal(form.output_dir, undefined);
  const { options, given } = parseOptions(trainerFlags(form), NO_ENV);
  assert.equal(options.seed, null);
  assert.ok(!given.has("output_dir"));
  assert.match(fieldErrors({ ...naruto, max_train_steps: "" }).max_train_steps, /whole number|at least/);
});

test("prompts with spaces and quotes reach the trainer as one argument each", () => {
  const prompts = ["a 'quoted' prompt", 'with "double" quotes', "and $HOME; rm -rf /"];
  const flags = trainerFlags(parseRunForm({ ...naruto, validation_prompts: prompts.join("\n") }));
  assert.deepEqual(parseOptions(flags, NO_ENV).options.validation_prompts, prompts);
});

test("bad values are refused with one message per field", () => {
  const errors = fieldErrors({
    ...naruto,
    project: "",
    resolution: "65",
    train_batch_size: "0",
    max_train_steps: "-5",
    learning_rate: "fast",
    lr_scheduler: "sometimes",
    seed: "1.5",
    pretrained_model_name_or_path: "./data/no/such/folder",
    dataset_name: "not a dataset",
    output_dir: "--use_ema",
    validation_prompts: "\n \n",
    validation_epochs: "x",
  });
  assert.deepEqual(Object.keys(errors).sort(), [
    "dataset_name",
    "learning_rate",
    "lr_scheduler",
    "max_train_steps",
    "output_dir",
    "pretrained_model_name_or_path",
    "project",
    "resolution",
    "seed",
    "train_batch_size",
    "validation_epochs",
    "validation_prompts",
  ]);
  assert.match(errors.resolution, /multiple of 8/);
  assert.match(errors.max_train_steps, /at least 1/);
  assert.match(errors.pretrained_model_name_or_path, /no folder \.\/data\/no\/such\/folder in the server.s data folder/);
});

test("a prompt that looks like a flag is refused", () => {
  assert.match(fieldErrors({ ...naruto, validation_prompts: "--output_dir=/etc" }).validation_prompts, /must not start with '-'/);
});

test("the tiny preset points at the generated model and validates its first and last epochs", () => {
  const v = PRESETS.tiny.values;
  assert.equal(v.pretrained_model_name_or_path, "./data/tiny/model");
  assert.equal(v.dataset_name, "./data/tiny/dataset");
  assert.equal(v.resolution, "32");
  // One optimizer step per epoch (the whole dataset per batch): epochs 0 .. max_train_steps - 1.
  assert.equal(v.train_batch_size, String(datasetRows().length));
  assert.equal((Number(v.max_train_steps) - 1) % Number(v.validation_epochs), 0, "the last epoch is a validation epoch");
});

test("output_dir stays inside the data folder, and model paths outside it say nothing about what exists", () => {
  assert.match(fieldErrors({ ...naruto, output_dir: "../../etc/cron.d" }).output_dir, /inside the server's data folder/);
  assert.match(fieldErrors({ ...naruto, output_dir: "/tmp/anywhere" }).output_dir, /inside the server's data folder/);
  const existing = fieldErrors({ ...naruto, pretrained_model_name_or_path: "/etc" }).pretrained_model_name_or_path;
  const missing = fieldErrors({ ...naruto, pretrained_model_name_or_path: "/no/such/folder" }).pretrained_model_name_or_path;
  assert.equal(existing.replace("/etc", "X"), missing.replace("/no/such/folder", "X"));
  assert.match(existing, /must be a folder inside the server's data folder .* or a hub id/);
});
