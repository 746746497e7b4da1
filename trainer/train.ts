/**
 * Fine-tunes a Stable Diffusion 1.x UNet on captioned images, the seed script
 * (Zeyi-Lin/Stable-Diffusion-Example, train_sd1-5_naruto.py) on TensorFlow.js:
 *
 *   npm run train -- --use_ema --resolution=512 --center_crop --random_flip \
 *     --train_batch_size=1 --gradient_accumulation_steps=4 --gradient_checkpointing \
 *     --max_train_steps=15000 --learning_rate=1e-05 --max_grad_norm=1 --seed=42 \
 *     --lr_scheduler="constant" --lr_warmup_steps=0 --output_dir="sd-naruto-model"
 *
 * Read top to bottom: options, models, data, schedule, the loop (accumulate,
 * clip, AdamW, EMA, log, checkpoint), validation, final save.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "./backend";
import { checkpointName, loadCheckpoint, pruneCheckpoints, resolveResumeCheckpoint, saveCheckpoint, type TrainedState } from "./checkpoint";
import { DataLoader } from "./data/dataloader";
import { limitExamples, loadImageCaptionDataset } from "./data/dataset";
import { Rng } from "./data/rng";
import { resolveRepo } from "./hub";
import { ConsoleLogger, type RunStatus, type TrainLogger } from "./logger";
import { InkstoneLogger } from "./tracking/inkstone_logger";
import { AutoencoderKL } from "./models/autoencoder_kl";
import { CLIPTextModel } from "./models/clip_text_model";
import { UNet2DConditionModel } from "./models/unet_2d_condition";
import { parseOrExit } from "./cli";
import { parseOptions, trainingSchedule, unhonouredOptionsNote, type ParsedOptions, type TrainOptions } from "./options";
import { ProgressBar } from "./progress";
import { savePipeline } from "./save_pipeline";
import { DDPMScheduler } from "./schedulers/ddpm";
import { CLIPTokenizer } from "./tokenizer/clip_tokenizer";
import { AdamW } from "./training/adamw";
import { EMAModel } from "./training/ema";
import type { PredictionType } from "./training/loss";
import { lrLambda, type LrSchedulerName } from "./training/lr_scheduler";
import { readScalars } from "./training/read_scalars";
import { accumulateGradients, microStep, optimizerStep, sampleLatents, sampleNoise, sampleTimesteps, type MicroBatch } from "./training/train_step";
import { runValidation } from "./validation";
import { readComponentConfig } from "./weights/diffusers_loader";
import { isMainModule } from "./is_main";
import { readEnv } from "@/lib/config/env";

/** Exit status after a SIGTERM/SIGINT that saved a checkpoint (128 + SIGTERM). */
const EXIT_CANCELLED = 143;

/** Trains as the options say; `shouldStop` is polled after every micro-step (main wires it to SIGTERM/SIGINT). */
export async function train(parsed: ParsedOptions, logger: TrainLogger, shouldStop: () => boolean = () => false): Promise<RunStatus> {
  const args: TrainOptions = parsed.options;
  const note = unhonouredOptionsNote(parsed);
  if (note) await logger.logText(note);

  // ---- randomness: one generator for noise/timesteps, one base seed for the data order ----
  const seed = args.seed ?? Rng.unseeded().nextUint32();
  let noiseRng = new Rng(seed);
  let dataSeed = seed;

  // ---- where: the pipeline and the dataset as local folders (hub ids via the hub cache) ----
  const hub = { revision: args.revision, cacheDir: args.cache_dir, variant: args.variant };
  const modelDir = await resolveRepo(args.pretrained_model_name_or_path, "model", hub);
  // --dataset_name wins when given (--train_data_dir is then a folder inside it, as load_dataset's data_dir).
  const explicitDataset = parsed.given.has("dataset_name") || args.train_data_dir === null;
  const datasetRoot = explicitDataset
    ? path.join(await resolveRepo(args.dataset_name!, "dataset", { ...hub, variant: null }), args.dataset_config_name ?? "", args.train_data_dir ?? "")
    : path.resolve(args.train_data_dir!);

  // ---- data ----
  const columns = { imageColumn: args.image_column, captionColumn: args.caption_column };
  const dataset = limitExamples(await loadImageCaptionDataset(datasetRoot, columns), args.max_train_samples, (n) =>
    new Rng(seed).permutation(n),
  );
  const transform = { resolution: args.resolution, centerCrop: args.center_crop, randomFlip: args.random_flip };

  // ---- models: frozen VAE and text encoder, trained UNet (+ EMA copy) ----
  const variant = args.variant ?? undefined;
  const noiseScheduler = DDPMScheduler.fromConfig(await readComponentConfig(modelDir, "scheduler"));
  const predictionType = (args.prediction_type ?? noiseScheduler.config.prediction_type) as PredictionType | "sample";
  if (predictionType === "sample") throw new Error(`Unknown prediction type ${predictionType}`);
  const tokenizer = await CLIPTokenizer.fromPretrained(modelDir);
  const textEncoder = await CLIPTextModel.fromPretrained(modelDir, { variant });
  const vae = await AutoencoderKL.fromPretrained(modelDir, { variant });
  const unet = await UNet2DConditionModel.fromPretrained(modelDir); // the seed loads the trained UNet without the variant
  const unetConfig = await readComponentConfig(modelDir, "unet");
  const params = unet.namedParameters();
  const ema = args.use_ema ? new EMAModel(params) : null;

  // ---- schedule, optimizer, lr ----
  const schedule = trainingSchedule(args, dataset.examples.length);
  const optimizer = new AdamW(params, {
    lr: schedule.learningRate,
    betas: [args.adam_beta1, args.adam_beta2],
    eps: args.adam_epsilon,
    weightDecay: args.adam_weight_decay,
  });
  const lrFactor = lrLambda({
    name: args.lr_scheduler as LrSchedulerName,
    baseLr: schedule.learningRate,
    numWarmupSteps: args.lr_warmup_steps,
    numTrainingSteps: schedule.maxTrainSteps,
  });
  const lrAt = (step: number): number => schedule.learningRate * lrFactor(step);
  const objective = {
    predictionType,
    snrGamma: args.snr_gamma,
    gradAccum: args.gradient_accumulation_steps,
    gradientCheckpointing: args.gradient_checkpointing,
  };

  await logger.start({
    ...args,
    num_examples: schedule.numExamples,
    num_update_steps_per_epoch: schedule.numUpdateStepsPerEpoch,
    num_train_epochs: schedule.numTrainEpochs,
    max_train_steps: schedule.maxTrainSteps,
    total_train_batch_size: schedule.totalBatchSize,
    learning_rate: schedule.learningRate,
    prediction_type: predictionType,
  });
  for (const line of [
    "***** Running training *****",
    `  Data = ${dataset.description}`,
    `  Num examples = ${schedule.numExamples}`,
    `  Num Epochs = ${schedule.numTrainEpochs}`,
    `  Instantaneous batch size per device = ${args.train_batch_size}`,
    `  Total train batch size (w. parallel, distributed & accumulation) = ${schedule.totalBatchSize}`,
    `  Gradient Accumulation steps = ${args.gradient_accumulation_steps}`,
    `  Total optimization steps = ${schedule.maxTrainSteps}`,
  ]) {
    await logger.logText(line);
  }

  // ---- resume ----
  fs.mkdirSync(args.output_dir, { recursive: true });
  const trained: TrainedState = { unet, unetConfig, optimizer, ema };
  let globalStep = 0;
  if (args.resume_from_checkpoint) {
    const dir = resolveResumeCheckpoint(args.output_dir, args.resume_from_checkpoint);
    if (dir === null) {
      await logger.logText(`Checkpoint '${args.resume_from_checkpoint}' does not exist. Starting a new training run.`);
    } else {
      await logger.logText(`Resuming from checkpoint ${dir}`);
      const state = await loadCheckpoint(dir, trained);
      globalStep = state.globalStep;
      noiseRng = Rng.fromState(state.noiseRng);
      dataSeed = state.dataSeed;
    }
  }
  const firstEpoch = Math.floor(globalStep / schedule.numUpdateStepsPerEpoch);
  const saveState = async (): Promise<void> => {
    const removed = pruneCheckpoints(args.output_dir, args.checkpoints_total_limit);
    if (removed.length) await logger.logText(`removing checkpoints: ${removed.join(", ")}`);
    const dir = path.join(args.output_dir, checkpointName(globalStep));
    await saveCheckpoint(dir, trained, { globalStep, noiseRng: noiseRng.getState(), dataSeed });
    await logger.logText(`Saved state to ${dir}`);
  };

  // ---- the loop ----
  const loader = new DataLoader(dataset, transform, args.train_batch_size, dataSeed);
  const progress = new ProgressBar(schedule.maxTrainSteps, globalStep);
  for (let epoch = firstEpoch; epoch < schedule.numTrainEpochs && globalStep < schedule.maxTrainSteps; epoch++) {
    let losses: tf.Scalar[] = []; // the micro-steps' losses since the last optimizer step, read with its grad norm
    let grads: Map<string, tf.Tensor> | null = null;
    let microSteps = 0;
    let images = 0;
    let stepStarted = performance.now();
    let batchIndex = 0;
    for await (const batch of loader.epoch(epoch)) {
      const endOfEpoch = ++batchIndex === loader.length;

      // Latents from the frozen VAE, noise, timesteps and text conditioning for this micro-batch.
      const seeds = { vae: noiseRng.nextUint32(), noise: noiseRng.nextUint32(), timesteps: noiseRng.nextUint32() };
      const micro: MicroBatch = tf.tidy(() => {
        const pixels = tf.tensor4d(batch.pixelValues, [batch.size, args.resolution, args.resolution, 3]);
        const latents = sampleLatents(vae, pixels, undefined, seeds.vae);
        const shape = latents.shape as [number, number, number, number];
        const noiseOpts = { noiseOffset: args.noise_offset, inputPerturbation: args.input_perturbation, seed: seeds.noise };
        const { noise, inputNoise } = sampleNoise(shape, noiseOpts);
        const timesteps = sampleTimesteps(batch.size, noiseScheduler.config.num_train_timesteps, seeds.timesteps);
        const encoderHiddenStates = textEncoder.forward(tokenizer.encodeToTensor(batch.captions));
        return { latents, noise, inputNoise, timesteps, encoderHiddenStates };
      });
      const { loss, grads: microGrads } = microStep(unet, noiseScheduler, micro, objective);
      tf.dispose(Object.values(micro));
      grads = accumulateGradients(grads, microGrads);
      losses.push(loss);
      microSteps += 1;
      images += batch.size;

      // accelerate syncs every grad_accum micro-steps and at the end of the epoch (a partial group).
      if (microSteps === args.gradient_accumulation_steps || endOfEpoch) {
        const norm = optimizerStep(grads, { optimizer, lr: lrAt(globalStep), maxGradNorm: args.max_grad_norm, ema, params });
        grads = null;
        const [gradNorm, ...microLosses] = await readScalars([norm, ...losses]);
        losses = [];
        // The seed logs the sum of loss / grad_accum over the micro-steps of an optimizer step.
        const trainLoss = microLosses.reduce((sum, l) => sum + l / args.gradient_accumulation_steps, 0);
        globalStep += 1;
        const stepTime = (performance.now() - stepStarted) / 1000;
        // Like the seed, "lr" is the scheduler's value after its step.
        const metrics = { train_loss: trainLoss, lr: lrAt(globalStep), epoch, grad_norm: gradNorm, step_time: stepTime, images_per_sec: images / stepTime };
        await logger.log(metrics, globalStep);
        progress.update(1, { loss: trainLoss, lr: metrics.lr });
        microSteps = 0;
        images = 0;
        stepStarted = performance.now();
        if (globalStep % args.checkpointing_steps === 0) await saveState();
      }

      // A stop request (SIGTERM): the current micro-step is done; save a checkpoint, end as "cancelled".
      if (shouldStop()) {
        if (grads) tf.dispose([...grads.values(), ...losses]);
        progress.close();
        await logger.logText(`signal received at step ${globalStep}: saving a checkpoint and stopping`);
        await saveState();
        return "cancelled";
      }
      if (globalStep >= schedule.maxTrainSteps) break;
    }
    if (grads) tf.dispose([...grads.values(), ...losses]);

    // ---- validation with the EMA weights swapped in ----
    if (args.validation_prompts.length && epoch % args.validation_epochs === 0) {
      if (ema) {
        ema.store(params);
        ema.copyTo(params);
      }
      await runValidation({ modelDir, vae, textEncoder, tokenizer, unet, prompts: args.validation_prompts, seed: args.seed }, async (i, prompt, png) =>
        logger.logImage("validation", png, { caption: `${i}: ${prompt}`, step: globalStep, epoch, index: i }),
      );
      if (ema) ema.restore(params);
    }
  }
  progress.close();

  // ---- final save: the pipeline in diffusers layout, UNet = EMA weights when --use_ema ----
  if (ema) ema.copyTo(params);
  await savePipeline(args.output_dir, modelDir, { unet, vae, text_encoder: textEncoder }, {
    nameOrPath: args.pretrained_model_name_or_path,
    sourceVariant: variant,
  });
  await logger.logText(`Saved the pipeline to ${args.output_dir}`);
  return "finished";
}

/**
 * Inkstone when the server launched this process (INKSTONE_RUN_ID), when a
 * server is named (--inkstone_url or INKSTONE_URL) or with --report_to=inkstone;
 * otherwise files under output_dir/logging_dir only.
 */
async function createLogger(o: TrainOptions): Promise<TrainLogger> {
  const localDir = path.join(o.output_dir, o.logging_dir);
  if (!readEnv("INKSTONE_RUN_ID") && !o.inkstone_url && o.report_to !== "inkstone") return new ConsoleLogger(localDir);
  return InkstoneLogger.create({ url: o.inkstone_url, project: o.tracker_project_name, localDir, spoolDir: path.join(o.output_dir, ".inkstone") });
}

async function main(): Promise<void> {
  const parsed = parseOrExit("train", parseOptions, process.argv.slice(2));
  await selectBackend(parsed.options.backend ?? undefined);
  const logger = await createLogger(parsed.options);
  const started = performance.now();
  // SIGTERM / SIGINT: stop after the current micro-step with a checkpoint; a second signal stops at once.
  let stopRequested = false;
  const onSignal = (): void => {
    if (stopRequested) process.exit(EXIT_CANCELLED);
    stopRequested = true;
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  let status: RunStatus = "failed";
  let error: string | undefined;
  try {
    status = await train(parsed, logger, () => stopRequested);
  } catch (e) {
    error = (e as Error).message;
    console.error(`train: error: ${error}`);
    if (readEnv("INKSTONE_DEBUG")) console.error(e);
  } finally {
    await logger.finish(status, error);
    console.log(`${status} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  process.exit(status === "finished" ? 0 : status === "cancelled" ? EXIT_CANCELLED : 1);
}

if (isMainModule(import.meta.url)) void main();
