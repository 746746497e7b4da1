import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { FLAG_NAMES } from "../../trainer/flags";
import {
  DEFAULT_VALIDATION_PROMPTS,
  HelpRequested,
  OptionsError,
  parseOptions,
  trainingSchedule,
  unhonouredOptionsNote,
} from "../../trainer/options";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The README's command line, after `npm run train --`. */
const TUTORIAL = `--use_ema --resolution=512 --center_crop --random_flip --train_batch_size=1 --gradient_accumulation_steps=4 --gradient_checkpointing --max_train_steps=15000 --learning_rate=1e-05 --max_grad_norm=1 --seed=42 --lr_scheduler="constant" --lr_warmup_steps=0 --output_dir="sd-naruto-model"`;

/** Splits a command line exactly as bash does (quotes included). */
function shellWords(line: string): string[] {
  const out = spawnSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" }).stdout;
  return out.split("\0").slice(0, -1);
}

test("the tutorial command parses to the seed script's values", () => {
  const { options: o, given } = parseOptions(shellWords(TUTORIAL), {});
  assert.equal(o.use_ema, true);
  assert.equal(o.resolution, 512);
  assert.equal(o.center_crop, true);
  assert.equal(o.random_flip, true);
  assert.equal(o.train_batch_size, 1);
  assert.equal(o.gradient_accumulation_steps, 4);
  assert.equal(o.gradient_checkpointing, true);
  assert.equal(o.max_train_steps, 15000);
  assert.equal(o.learning_rate, 1e-5);
  assert.equal(o.max_grad_norm, 1);
  assert.equal(o.seed, 42);
  assert.equal(o.lr_scheduler, "constant");
  assert.equal(o.lr_warmup_steps, 0);
  assert.equal(o.output_dir, "sd-naruto-model");
  // Everything else keeps sd_config.py's defaults.
  assert.equal(o.pretrained_model_name_or_path, "runwayml/stable-diffusion-v1-5");
  assert.equal(o.dataset_name, "lambdalabs/naruto-blip-captions");
  assert.equal(o.image_column, "image");
  assert.equal(o.caption_column, "text");
  assert.deepEqual(o.validation_prompts, DEFAULT_VALIDATION_PROMPTS);
  assert.equal(o.validation_epochs, 5);
  assert.equal(o.num_train_epochs, 100);
  assert.equal(o.scale_lr, false);
  assert.equal(o.snr_gamma, null);
  assert.deepEqual([o.adam_beta1, o.adam_beta2, o.adam_weight_decay, o.adam_epsilon], [0.9, 0.999, 1e-2, 1e-8]);
  assert.equal(o.prediction_type, null);
  assert.equal(o.noise_offset, 0);
  assert.equal(o.input_perturbation, 0);
  assert.equal(o.checkpointing_steps, 500);
  assert.equal(o.checkpoints_total_limit, null);
  assert.equal(o.resume_from_checkpoint, null);
  assert.equal(o.variant, null);
  assert.equal(o.revision, null);
  assert.equal(o.mixed_precision, null);
  assert.equal(o.dataloader_num_workers, 0);
  assert.equal(o.report_to, "tensorboard");
  assert.equal(o.tracker_project_name, "text2image-fine-tune");
  assert.equal(o.logging_dir, "logs");
  assert.equal(o.inkstone_url, null);
  assert.ok(given.has("use_ema") && !given.has("dataset_name"), "given holds the written flags only");
  assert.equal(unhonouredOptionsNote({ options: o, given }), null);
});

test("--flag value and --flag=value are the same; unique prefixes work like argparse", () => {
  const a = parseOptions(["--seed", "7", "--learning_rate", "3e-4", "--output_dir", "x"], {}).options;
  const b = parseOptions(["--seed=7", "--learning_rate=3e-4", "--output_dir=x"], {}).options;
  assert.deepEqual(a, b);
  assert.equal(a.seed, 7);
  assert.equal(a.learning_rate, 3e-4);
  assert.equal(parseOptions(["--seed", "-3"], {}).options.seed, -3);
  assert.deepEqual(parseOptions(["--validation_prompt", "a cat"], {}).options.validation_prompts, ["a cat"]);
  assert.throws(() => parseOptions(["--adam_beta", "0.5"], {}), /ambiguous option: --adam_beta could match --adam_beta1, --adam_beta2/);
});

test("--validation_prompts takes several words until the next flag", () => {
  const o = parseOptions(["--validation_prompts", "a red cube", "a blue ball", "--seed", "1"], {}).options;
  assert.deepEqual(o.validation_prompts, ["a red cube", "a blue ball"]);
  assert.equal(o.seed, 1);
  assert.deepEqual(parseOptions(["--validation_prompts=one prompt"], {}).options.validation_prompts, ["one prompt"]);
});

test("bad command lines fail with one message naming the flag", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--no_such_flag"], /unrecognized arguments: --no_such_flag/],
    [["--resolution=abc"], /argument --resolution: invalid int value: 'abc'/],
    [["--learning_rate", "fast"], /argument --learning_rate: invalid float value: 'fast'/],
    [["--mixed_precision=fp8"], /argument --mixed_precision: invalid choice: 'fp8'/],
    [["--lr_scheduler=exponential"], /argument --lr_scheduler: invalid choice: 'exponential'/],
    [["--train_batch_size=0"], /argument --train_batch_size: must be at least 1/],
    [["--resolution=500"], /argument --resolution: must be a multiple of 8/],
    [["--use_ema=yes"], /argument --use_ema: ignored explicit argument 'yes'/],
    [["--seed"], /argument --seed: expected one argument/],
    [["--output_dir", "--seed", "1"], /argument --output_dir: expected one argument/],
    [["stray"], /unrecognized arguments: stray/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseOptions(argv, {}), (e: Error) => e instanceof OptionsError && message.test(e.message), argv.join(" "));
});

test("options TensorFlow.js cannot honour are reported in one line", () => {
  const parsed = parseOptions(["--mixed_precision=fp16", "--dataloader_num_workers=4", "--report_to=wandb"], {});
  const note = unhonouredOptionsNote(parsed);
  assert.ok(note && !note.includes("\n"), String(note));
  assert.match(note!, /--mixed_precision=fp16/);
  assert.match(note!, /--dataloader_num_workers=4/);
  assert.match(note!, /--report_to=wandb/);
});

test("the seed's --non_ema_revision is accepted and warned about as ignored", () => {
  const parsed = parseOptions(["--use_ema", "--non_ema_revision=main"], {});
  assert.equal(parsed.options.non_ema_revision, "main");
  assert.match(unhonouredOptionsNote(parsed)!, /--non_ema_revision=main \(the UNet loads from --revision\)/);
  assert.equal(unhonouredOptionsNote(parseOptions(["--mixed_precision=no", "--report_to=inkstone"], {})), null, "values the trainer honours are not warned about");
});

test("--help lists every flag of trainer/flags.ts with its default", () => {
  let help = "";
  assert.throws(() => parseOptions(["--seed=1", "--help"], {}), (e: Error) => e instanceof HelpRequested && Boolean((help = e.message)));
  for (const name of FLAG_NAMES) assert.ok(help.includes(`--${name}`), `--${name} missing from --help`);
  assert.ok(help.replace(/\s+/g, " ").includes("--resolution INT Training images are resized and cropped to this size. (default: 512)"), help);
});

test("environment: INKSTONE_URL is the default --inkstone_url, LOCAL_RANK overrides --local_rank", () => {
  assert.equal(parseOptions([], { INKSTONE_URL: "http://tracker:3000" }).options.inkstone_url, "http://tracker:3000");
  assert.equal(parseOptions(["--inkstone_url=http://x"], { INKSTONE_URL: "http://tracker:3000" }).options.inkstone_url, "http://x");
  assert.equal(parseOptions([], { LOCAL_RANK: "0" }).options.local_rank, 0);
});

test("epoch and step counts are derived like the seed's", () => {
  const tutorial = parseOptions(shellWords(TUTORIAL), {}).options;
  // lambdalabs/naruto-blip-captions has 1,221 rows.
  assert.deepEqual(trainingSchedule(tutorial, 1221), {
    numExamples: 1221,
    batchesPerEpoch: 1221,
    numUpdateStepsPerEpoch: 306, // ceil(1221 / 4)
    maxTrainSteps: 15000,
    numTrainEpochs: 50, // ceil(15000 / 306)
    totalBatchSize: 4,
    learningRate: 1e-5,
  });
  const byEpochs = parseOptions(["--train_batch_size=3", "--gradient_accumulation_steps=2", "--num_train_epochs=3", "--scale_lr"], {}).options;
  const s = trainingSchedule(byEpochs, 10);
  assert.equal(s.batchesPerEpoch, 4); // the last batch holds one example
  assert.equal(s.numUpdateStepsPerEpoch, 2);
  assert.equal(s.maxTrainSteps, 6);
  assert.equal(s.numTrainEpochs, 3);
  assert.equal(s.learningRate, 1e-4 * 2 * 3);
});

test("the CLI exits with status 2 and names the flag on a bad command line", () => {
  for (const [argv, flag] of [
    [["--resolution=big"], "--resolution"],
    [["--bogus_flag"], "--bogus_flag"],
  ] as const) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "trainer/train.ts", ...argv], { cwd: repoRoot, encoding: "utf8" });
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(flag), r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
