import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { ArgumentTypeError } from "argparse";
import { BACKENDS, selectBackend } from "./backend";
import { CliParser, listArg, numberArg, parseCli, parseOrExit } from "./cli";
import { mainThreadCpuMs } from "./main_thread_cpu";
import { parseUNetConfig, UNet2DConditionModel } from "./models/unet_2d_condition";
import { DDPMScheduler } from "./schedulers/ddpm";
import { AdamW } from "./training/adamw";
import { EMAModel } from "./training/ema";
import { fillRandomNormal } from "./training/multi_tensor_webgpu";
import { readScalars } from "./training/read_scalars";
import { microStep, optimizerStep, type MicroBatch } from "./training/train_step";
import { WebGpuEncoder } from "./training/webgpu_encoder";
import { readGpus } from "./tracking/nvidia_smi";
import { trainingStateBytes, unetParameterCount } from "./unet_footprint";
import { accumulate, installWebGpuCounters, skipDispatches, topKernels, webGpuCounts, type WebGpuCounts } from "./webgpu_counters";

/**
 * npm run bench:trainer [-- --backends webgpu,wasm] [--cases tiny,sd15,sd15_ckpt] [--sizes 64,128] [--steps 10]
 *                          [--warmup 10] [--processes 3] [--model DIR] [--sd15_config JSON] [--sd15_latent 64]
 *                          [--anchor DIR] [--anchor_modes fp32,bf16 (sd15's anchor modes)] [--anchor_python python3]
 *                          [--memory_only (webgpu: dispatches counted, not run; buffers and dispatches only)]
 *
 * The UNet training step the PyTorch anchor (../shared/anchor/torch_unet_step.py) times: forward,
 * MSE to the noise, backward, clip at 1.0, AdamW, EMA, batch 1, fp32, on random latents, noise,
 * timestep and text states (trainer/training/train_step.ts). Cases: `tiny`, the golden sd-tiny-a
 * UNet at each --sizes image size; `sd15` and `sd15_ckpt`, SD1.5's UNet (--sd15_config, random
 * weights) at --sd15_latent latents (64 = 512 px) without and with gradient checkpointing.
 * Each (backend, case) runs in its own process so its peak memory is its own; the anchor runs
 * the same case in the same bench run as a child process (python3 with torch), and the table
 * gives the ratio to it. Then the memory a full SD1.5 UNet fine-tune needs, per backend.
 */

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_MODEL = path.resolve(REPO_ROOT, "../shared/reference/sd-tiny-a/model");
const DEFAULT_ANCHOR = path.resolve(REPO_ROOT, "../shared/anchor");
const RESULT_TAG = "BENCH_RESULT ";
/** Wall-clock budget for the timed steps of one (backend, case) run. */
const STEP_BUDGET_S = 60;
/**
 * Steps run before timing, within WARMUP_BUDGET_S: the first steps pay for V8
 * compiling the JS kernels, tfjs filling its caches and WebGPU compiling its
 * pipelines (on wasm at 64 px, steps 1-8 took ~1,070, 470, 370, 265, 250, 255,
 * 240, 230 ms, then stayed near 225), while a training run's thousands of steps
 * are the steady state.
 */
const WARMUP_BUDGET_S = 20;
/** Another process only while one takes less than this (the cpu backend's take minutes). */
const REPEAT_UNDER_S = 40;
const CASES = ["tiny", "sd15", "sd15_ckpt"] as const;
/** How many kernel names the dispatch histogram lists per (backend, case). */
const TOP_KERNELS = 20;
type CaseName = (typeof CASES)[number];

/** SD1.5's real UNet config (the values that set its size). */
const SD15_UNET = {
  block_out_channels: [320, 640, 1280, 1280],
  attention_head_dim: 8,
  cross_attention_dim: 768,
  layers_per_block: 2,
  norm_num_groups: 32,
};

/** Parameter counts of SD1.5's other components as released (CLIP ViT-L/14 text model, the SD VAE), for the sampling footprint. */
const SD15_TEXT_ENCODER_PARAMS = 123_060_480;
const SD15_VAE_PARAMS = 83_653_863;

interface StepResult {
  backend: string;
  case: CaseName;
  /** Latent side; the image is 8x. */
  latent: number;
  steps: number;
  medianMs: number;
  /** Main-thread CPU time per step (mean over the timed steps): the step's own work, without GC helper threads. */
  mainCpuMs: number;
  /** Peak bytes of tfjs tensors (wasm/cpu: tf.profile of one step) or of live WebGPU buffers (webgpu). */
  peakBytes: number;
  peakRssBytes: number;
  /** Peak GPU memory in use by the whole device as nvidia-smi reports it, where it is installed. */
  nvidiaSmiPeakMiB: number | null;
  /** WebGPU compute dispatches and queue submits per step (webgpu only). */
  dispatches: number | null;
  /** The dispatches of forward + backward (microStep) and of clip + AdamW + EMA (optimizerStep) per step; the rest are the step's inputs and its read. */
  modelDispatches: number | null;
  optimizerDispatches: number | null;
  submits: number | null;
  /** GPU buffers created per step, where tfjs's pool had none of the size (webgpu only). */
  creates: number | null;
  /** The tf kernels with the most forward + backward dispatches per step, most first (webgpu only). */
  topKernels: Array<[string, number]>;
  leakedTensors: number;
  unetParams: number;
  buildSeconds: number;
}

interface AnchorResult {
  median_ms: number;
  peak_gib: number;
  line: string;
}

interface BenchArgs {
  backends: string[];
  cases: CaseName[];
  sizes: number[];
  steps: number;
  warmup: number;
  processes: number;
  model: string;
  sd15Config: string;
  sd15Latent: number;
  anchor: string;
  anchorModes: string[];
  /** The Python with torch that runs the anchor (diffusers 0.29's sources on PYTHONPATH). */
  anchorPython: string;
  memoryOnly: boolean;
  child: { backend: string; case: CaseName; latent: number } | null;
}

/** bench:trainer's command line (argparse, trainer/cli.ts, like the trainer's other CLIs). */
function parseArgs(argv: string[]): BenchArgs {
  const parser = new CliParser({ prog: "npm run bench:trainer --", description: "Times the UNet training step on each backend beside the PyTorch anchor." });
  const positive = numberArg("int", { min: 1 });
  const add = (flag: string, dest: keyof BenchArgs, opts: Record<string, unknown>) => parser.add_argument(flag, { dest, ...opts });
  add("--backends", "backends", { type: listArg(), default: [...BACKENDS], metavar: "LIST" });
  add("--cases", "cases", { type: listArg(caseName), default: ["tiny"], metavar: "LIST", help: `Of ${CASES.join(", ")}.` });
  add("--sizes", "sizes", { type: listArg(numberArg("int", { min: 8, multipleOf: { n: 8, why: "the VAE downsamples by 8" } })), default: [64, 128], metavar: "LIST", help: "Image sizes of the tiny case." });
  add("--steps", "steps", { type: positive, default: 10, metavar: "N" });
  add("--warmup", "warmup", { type: positive, default: 10, metavar: "N" });
  add("--processes", "processes", { type: positive, default: 3, metavar: "N" });
  add("--model", "model", { type: path.resolve, default: DEFAULT_MODEL, metavar: "DIR" });
  add("--sd15_config", "sd15Config", { type: path.resolve, default: path.join(DEFAULT_ANCHOR, "sd15_unet.json"), metavar: "JSON" });
  add("--sd15_latent", "sd15Latent", { type: positive, default: 64, metavar: "N", help: "Latent size of the sd15 cases (64 = 512 px)." });
  add("--anchor", "anchor", { type: path.resolve, default: DEFAULT_ANCHOR, metavar: "DIR" });
  add("--anchor_modes", "anchorModes", { type: listArg(), default: ["fp32"], metavar: "LIST", help: "sd15's anchor modes: fp32, bf16." });
  add("--anchor_python", "anchorPython", { default: "python3", help: "The Python with torch that runs the anchor." });
  add("--memory_only", "memoryOnly", {
    action: "store_true",
    help: "WebGPU: count the dispatches without running them, for a step's buffers and dispatches where running it takes too long (SD1.5 at 512 px on lavapipe). No times.",
  });
  add("--child", "child", { type: childArg, default: null, help: "Internal: one (backend, case, latent) measured in this process." });
  return parseCli(parser, argv);
}

function caseName(raw: string): CaseName {
  if (!(CASES as readonly string[]).includes(raw)) throw new ArgumentTypeError(`unknown case ${raw}; choose from ${CASES.join(", ")}`);
  return raw as CaseName;
}

function childArg(raw: string): BenchArgs["child"] {
  const [backend, name, latent] = raw.split(":");
  return { backend: backend!, case: caseName(name ?? ""), latent: numberArg("int", { min: 1 })(latent ?? "") };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

/** The UNet config file a case builds (and the anchor builds the same). */
function caseConfigFile(name: CaseName, args: BenchArgs): string {
  return name === "tiny" ? path.join(args.model, "unet", "config.json") : args.sd15Config;
}

/**
 * Random weights in the tfjs layout: the same scales as make-tiny's randomStateDict (norm scales
 * near 1, small biases, 1/sqrt(fan_in) kernels), never zeros. On webgpu they are drawn there, a
 * few dispatches for the whole UNet (tf.randomNormal draws in JS: ~45 s for SD1.5).
 */
function randomizeWeights(unet: UNet2DConditionModel, seed: number): void {
  const fills = unet.namedParameters().map(([name, p]) => {
    const torchShape = p.torchShape;
    const isNormScale = p.layout === "plain" && torchShape.length === 1 && name.endsWith(".weight");
    const fanIn = torchShape.slice(1).reduce((a, b) => a * b, 1);
    return { p, mean: isNormScale ? 1 : 0, std: p.layout === "plain" ? (isNormScale ? 0.1 : 0.02) : 1 / Math.sqrt(fanIn), seed: seed++ };
  });
  const encoder = WebGpuEncoder.active();
  if (!encoder) {
    for (const f of fills) tf.tidy(() => f.p.value.assign(tf.randomNormal(f.p.value.shape, f.mean, f.std, "float32", f.seed)));
    return;
  }
  const targets = fills.map((f) => ({ ...f, target: encoder.empty(f.p.value.shape) }));
  fillRandomNormal(encoder, targets);
  for (const t of targets) {
    t.p.value.assign(t.target);
    t.target.dispose();
  }
}

/** Largest memory.used nvidia-smi reports until the returned function is called; null without nvidia-smi. */
function pollNvidiaSmi(): () => Promise<number | null> {
  let peak: number | null = null;
  let stopped = false;
  // Checked once, synchronously: a reading taken while this thread builds a model can time out.
  if (spawnSync("nvidia-smi", ["-L"], { timeout: 10_000 }).status !== 0) return async () => null;
  const loop = (async () => {
    while (!stopped) {
      // A reading can time out while the GPU is busy: skip it, keep polling.
      const gpus = await readGpus(10_000);
      if (gpus.length) peak = Math.max(peak ?? 0, ...gpus.map((g) => g.memoryUsedMiB));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return peak;
  };
}

/** One (backend, case) measurement, in this process. */
async function measureTrainStep(backend: string, name: CaseName, latent: number, args: BenchArgs): Promise<StepResult> {
  const active = await selectBackend(backend);
  const onWebGpu = active === "webgpu" && installWebGpuCounters();
  if (args.memoryOnly) {
    if (!onWebGpu) throw new Error(`--memory_only needs the webgpu backend, not ${active}`);
    skipDispatches();
  }
  const stopPolling = pollNvidiaSmi();
  const built = performance.now();
  const configFile = caseConfigFile(name, args);
  const unet = name === "tiny" ? await UNet2DConditionModel.fromPretrained(args.model) : UNet2DConditionModel.fromConfig(readJson(configFile));
  if (name !== "tiny") {
    randomizeWeights(unet, 1);
    await unet.namedParameters()[0]![1].value.data(); // waits for the device to have drawn them
  }
  const buildSeconds = (performance.now() - built) / 1000;
  const scheduler = DDPMScheduler.fromConfig({ beta_start: 0.00085, beta_end: 0.012, beta_schedule: "scaled_linear", num_train_timesteps: 1000 });
  const params = unet.namedParameters();
  const optimizer = new AdamW(params, { lr: 1e-5, weightDecay: 1e-2 });
  const ema = new EMAModel(params);
  const crossDim = unet.config.cross_attention_dim[0]!;
  const objective = { predictionType: "epsilon" as const, gradAccum: 1, gradientCheckpointing: name === "sd15_ckpt" };
  let i = 0;
  // WebGPU counts of the timed steps' forward + backward (microStep) and optimizer step (optimizerStep), summed.
  type Phase = { before: WebGpuCounts; after: WebGpuCounts } | null;
  const phases: { model: Phase; optimizer: Phase } = { model: null, optimizer: null };
  const timing = { on: false };
  // As the anchor: fresh random inputs per step, one read (loss and grad norm) at its end.
  const trainStep = async (): Promise<void> => {
    i += 1;
    const batch: MicroBatch = tf.tidy(() => ({
      latents: tf.randomNormal([1, latent, latent, unet.config.in_channels], 0, 1, "float32", 3 * i) as tf.Tensor4D,
      noise: tf.randomNormal([1, latent, latent, unet.config.in_channels], 0, 1, "float32", 3 * i + 1) as tf.Tensor4D,
      timesteps: tf.tensor1d([(i * 37) % 1000], "int32"),
      encoderHiddenStates: tf.randomNormal([1, 77, crossDim], 0, 1, "float32", 3 * i + 2) as tf.Tensor3D,
    }));
    const counted = onWebGpu && timing.on;
    const beforeModel = counted ? webGpuCounts() : null;
    const { loss, grads } = microStep(unet, scheduler, batch, objective);
    const beforeOptimizer = counted ? webGpuCounts() : null;
    if (beforeModel && beforeOptimizer) phases.model = accumulate(phases.model, beforeModel, beforeOptimizer);
    tf.dispose(Object.values(batch));
    const norm = optimizerStep(grads, { optimizer, lr: 1e-5, maxGradNorm: 1, ema, params });
    if (beforeOptimizer) phases.optimizer = accumulate(phases.optimizer, beforeOptimizer, webGpuCounts());
    const values = await readScalars([loss, norm]);
    if (!args.memoryOnly && !values.every(Number.isFinite)) throw new Error(`step ${i}: loss/grad norm ${values.join(", ")}`);
  };
  const warmupStarted = performance.now();
  for (let w = 0; w < args.warmup && (w === 0 || performance.now() - warmupStarted < WARMUP_BUDGET_S * 1000); w++) await trainStep();
  const tensorsBefore = tf.memory().numTensors;
  const countsBefore = onWebGpu ? webGpuCounts() : null;
  timing.on = true;
  const times: number[] = [];
  const started = performance.now();
  const cpuStart = mainThreadCpuMs();
  while (times.length < args.steps && (times.length < 2 || performance.now() - started < STEP_BUDGET_S * 1000)) {
    const t0 = performance.now();
    await trainStep();
    times.push(performance.now() - t0);
  }
  const mainCpuMs = (mainThreadCpuMs() - cpuStart) / times.length;
  const leakedTensors = tf.memory().numTensors - tensorsBefore;
  const countsAfter = onWebGpu ? webGpuCounts() : null;
  timing.on = false;
  const phaseDispatches = (phase: Phase): number | null => (phase ? (phase.after.dispatches - phase.before.dispatches) / times.length : null);
  const perStep = (k: "dispatches" | "submits" | "creates"): number | null => (countsBefore && countsAfter ? (countsAfter[k] - countsBefore[k]) / times.length : null);
  // tf.profile checks every kernel's output, so it runs apart from the timed steps; WebGPU's peak is its live buffers'.
  const peakBytes = onWebGpu ? countsAfter!.peakBytes : (await tf.profile(() => trainStep())).peakBytes;
  return {
    backend: active,
    case: name,
    latent,
    steps: times.length,
    medianMs: median(times),
    mainCpuMs,
    peakBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    nvidiaSmiPeakMiB: await stopPolling(),
    dispatches: perStep("dispatches"),
    modelDispatches: phaseDispatches(phases.model),
    optimizerDispatches: phaseDispatches(phases.optimizer),
    submits: perStep("submits"),
    creates: perStep("creates"),
    topKernels: phases.model ? topKernels(phases.model.before, phases.model.after, TOP_KERNELS).map(([k, n]) => [k, n / times.length]) : [],
    leakedTensors,
    unetParams: params.reduce((s, [, p]) => s + p.value.size, 0),
    buildSeconds,
  };
}

/** Runs a command to its end; its stdout and stderr together. */
function runProcess(command: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: REPO_ROOT, env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", (e) => resolve(`${out}\n${e.message}`));
    child.on("close", () => resolve(out));
  });
}

/** Runs one measurement in a child process (this script again, under the same loader); the reason when it failed. */
async function runChild(backend: string, name: CaseName, latent: number, args: BenchArgs): Promise<StepResult | string> {
  const passOn = ["--steps", args.steps, "--warmup", args.warmup, "--model", args.model, "--sd15_config", args.sd15Config, ...(args.memoryOnly ? ["--memory_only"] : [])].map(String);
  const argv = [...process.execArgv, process.argv[1]!, "--child", `${backend}:${name}:${latent}`, ...passOn];
  const out = await runProcess(process.execPath, argv, { ...process.env, INKSTONE_BACKEND: "" });
  const line = out.split("\n").find((l) => l.startsWith(RESULT_TAG));
  if (line) return JSON.parse(line.slice(RESULT_TAG.length)) as StepResult;
  const reason = out.split("\n").filter((l) => l.trim() && !l.includes("tfjs-node") && !/^=+$/.test(l.trim()) && !l.includes("Hi, looks like") && !l.startsWith("Warning:"));
  return reason.at(-1) ?? "no output";
}

/** The PyTorch anchor on the same case, or why it did not run. */
async function runAnchor(name: CaseName, latent: number, mode: string, args: BenchArgs): Promise<AnchorResult | string> {
  const script = path.join(args.anchor, "torch_unet_step.py");
  if (!fs.existsSync(script)) return `no ${script}`;
  const steps = name === "tiny" ? 10 : 5;
  const out = await runProcess(args.anchorPython, [script, caseConfigFile(name, args), String(latent), String(steps), mode, name === "sd15_ckpt" ? "1" : "0"], {
    ...process.env,
    PYTHONUNBUFFERED: "1",
  });
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) return `no anchor (${args.anchorPython} with torch and the diffusers 0.29 sources on PYTHONPATH are needed): ${out.trim().split("\n").at(-1) ?? "no output"}`;
  const field = (k: string): number => Number(new RegExp(`\\b${k}=([\\d.]+)`).exec(line)?.[1] ?? NaN);
  return { median_ms: field("median_ms"), peak_gib: field("peak_gib"), line };
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

/** Bytes each backend can address for tensors. */
function backendCapacity(backend: string): { bytes: number; label: string } | null {
  if (backend === "wasm") return { bytes: 4 * 2 ** 30, label: "4 GiB (wasm32 memory)" };
  if (backend === "cpu" || backend === "tensorflow") return { bytes: os.totalmem(), label: `${gb(os.totalmem())} (machine RAM)` };
  return null; // webgpu: the GPU's own memory, not known from here
}

/** The (case, latent) pairs to measure. */
function casePoints(args: BenchArgs): Array<{ name: CaseName; latent: number }> {
  return args.cases.flatMap((name): Array<{ name: CaseName; latent: number }> => (name === "tiny" ? args.sizes.map((s) => ({ name, latent: s / 8 })) : [{ name, latent: args.sd15Latent }]));
}

const caseLabel = (name: CaseName, latent: number): string => `${name} ${latent * 8}px`;

async function parent(args: BenchArgs): Promise<void> {
  const results: Array<StepResult & { processMedians: number[] }> = [];
  const unavailable: string[] = [];
  const anchors = new Map<string, AnchorResult | string>();
  const points = casePoints(args);
  for (const backend of args.backends) {
    for (const { name, latent } of points) {
      const runs: StepResult[] = [];
      let failure: string | null = null;
      for (let p = 0; p < args.processes; p++) {
        const started = performance.now();
        const r = await runChild(backend, name, latent, args);
        if (typeof r === "string") {
          failure = r;
          break;
        }
        runs.push(r);
        console.error(`measured ${backend} ${caseLabel(name, latent)}, process ${p + 1}: ${r.medianMs.toFixed(0)} ms/step`);
        if (performance.now() - started > REPEAT_UNDER_S * 1000) break;
      }
      if (runs.length === 0) {
        unavailable.push(`${backend} ${caseLabel(name, latent)}: ${failure ?? "no output"}`);
        if (failure?.includes("not available")) break;
        continue;
      }
      const best = runs.reduce((a, b) => (b.medianMs < a.medianMs ? b : a));
      results.push({ ...best, processMedians: runs.map((r) => r.medianMs) });
    }
  }
  // The anchor after the trainer's runs, in the same bench run (never a constant from another day).
  for (const { name, latent } of points) {
    // fp32 is the comparison; other modes (tf32, bf16) are reference figures for the sd15 case only.
    for (const mode of name === "sd15" ? args.anchorModes : ["fp32"]) {
      const a = await runAnchor(name, latent, mode, args);
      anchors.set(`${name}:${latent}:${mode}`, a);
      console.error(`anchor ${caseLabel(name, latent)} ${mode}: ${typeof a === "string" ? a : a.line}`);
    }
  }
  console.log("\nUNet training step (forward, MSE to the noise, backward, clip 1.0, AdamW, EMA), batch 1, fp32, random inputs:");
  console.log(
    `timed after up to ${args.warmup} warm-up steps (at most ${WARMUP_BUDGET_S} s of them): wall is the median step, main-thread CPU the mean, ` +
      `of the best of up to ${args.processes} processes (each process's median wall listed); each step ends with its one read of loss and grad norm`,
  );
  if (args.memoryOnly) console.log("--memory_only: dispatches recorded and counted but not run, so buffers and dispatches are the step's and no times are measured");
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg()[0]!.toFixed(1)}\n`);
  const fp32Anchor = (r: StepResult): AnchorResult | string | undefined => anchors.get(`${r.case}:${r.latent}:fp32`);
  const rows = [["backend", "case", "UNet params", "wall ms/step", "per process", "CPU ms/step", "anchor fp32 ms", "vs anchor", "dispatches/step", "fwd+bwd", "clip+AdamW+EMA", "submits/step", "buffers made/step", "peak tensors/buffers", "nvidia-smi peak", "peak RSS", "leaked/step", "build s"]];
  for (const r of results) {
    const anchor = fp32Anchor(r);
    const anchorMs = typeof anchor === "object" ? anchor.median_ms : null;
    // --memory_only ran no arithmetic: its times say nothing.
    const timed = !args.memoryOnly;
    rows.push([
      r.backend,
      caseLabel(r.case, r.latent),
      r.unetParams.toLocaleString("en-US"),
      timed ? r.medianMs.toFixed(0) : "not run",
      timed ? r.processMedians.map((m) => m.toFixed(0)).join(" / ") : "-",
      timed ? r.mainCpuMs.toFixed(0) : "-",
      anchorMs !== null ? anchorMs.toFixed(0) : "-",
      anchorMs !== null && timed ? `${(r.medianMs / anchorMs).toFixed(2)}x` : "-",
      ...[r.dispatches, r.modelDispatches, r.optimizerDispatches].map((d) => (d !== null ? d.toFixed(0) : "-")),
      ...[r.submits, r.creates].map((n) => (n !== null ? n.toFixed(0) : "-")),
      mb(r.peakBytes),
      r.nvidiaSmiPeakMiB !== null ? `${r.nvidiaSmiPeakMiB} MiB` : "-",
      mb(r.peakRssBytes),
      (r.leakedTensors / r.steps).toFixed(1),
      r.buildSeconds.toFixed(1),
    ]);
  }
  console.log(table(rows));
  for (const r of results.filter((r) => r.topKernels.length)) {
    const list = r.topKernels.map(([k, n]) => `${k} ${n.toFixed(0)}`).join(", ");
    const label = `${r.backend} ${caseLabel(r.case, r.latent)}`;
    console.log(`${label}: forward + backward ${r.modelDispatches!.toFixed(0)} dispatches/step, clip + AdamW + EMA ${r.optimizerDispatches!.toFixed(0)}`);
    console.log(`  forward + backward dispatches/step by tf kernel: ${list}`);
  }
  for (const u of unavailable) console.log(`not measured: ${u}`);
  console.log("\nPyTorch anchor (diffusers 0.29 UNet2DConditionModel, ../shared/anchor/torch_unet_step.py), same cases, this run:");
  for (const [key, a] of anchors) console.log(`  ${key.split(":")[0]} latent ${key.split(":")[1]} ${key.split(":")[2]}: ${typeof a === "string" ? a : `${a.median_ms} ms/step, peak ${a.peak_gib} GiB allocated (${a.line})`}`);
  console.log(
    "CPU ms/step is the main thread's CPU time per step (10 ms ticks); on webgpu the GPU works beside it. dispatches/step counts compute passes' dispatchWorkgroups calls, fwd+bwd those of forward and backward, clip+AdamW+EMA those of the optimizer step (the rest make the inputs and read the loss); buffers made/step counts GPU buffers created because tfjs's pool held none of the size (INKSTONE_WEBGPU_POOL_MB bounds the pool); " +
      "peak tensors/buffers is tf.profile's peak tensor bytes (wasm, cpu) or the peak bytes of live WebGPU buffers (webgpu); nvidia-smi peak is the whole device's memory.used.",
  );
  sd15Footprint(args, results.find((r) => r.case === "tiny")?.unetParams, results.map((r) => r.backend));
}

function sd15Footprint(args: BenchArgs, tinyBuiltParams: number | undefined, measured: string[]): void {
  const count = unetParameterCount(parseUNetConfig(SD15_UNET));
  const tinyConfig = readJson(path.join(args.model, "unet/config.json"));
  const tinyCounted = unetParameterCount(parseUNetConfig(tinyConfig));
  const bytes = trainingStateBytes(count);
  console.log(`\nSD1.5 UNet (${JSON.stringify(SD15_UNET)}):`);
  console.log(
    `  ${count.toLocaleString("en-US")} parameters, counted from the config without allocating ` +
      `(the same count for sd-tiny-a: ${tinyCounted.toLocaleString("en-US")}; built: ${tinyBuiltParams?.toLocaleString("en-US") ?? "not measured"})`,
  );
  console.log(
    `  float32: weights ${gb(bytes.weights)}, gradients ${gb(bytes.gradients)}, AdamW state (2x) ${gb(bytes.adamw)}, ` +
      `EMA ${gb(bytes.ema)}; full fine-tune ${gb(bytes.total)} before activations`,
  );
  const pipelineBytes = 4 * (count + SD15_TEXT_ENCODER_PARAMS + SD15_VAE_PARAMS);
  console.log(
    `  sampling also holds the text encoder (${SD15_TEXT_ENCODER_PARAMS.toLocaleString("en-US")}) and VAE (${SD15_VAE_PARAMS.toLocaleString("en-US")}): ` +
      `${gb(pipelineBytes)} of float32 weights before activations`,
  );
  const rows = [["backend", "capacity", "UNet weights", "sampling pipeline", "+ gradients", "+ AdamW", "+ EMA (full fine-tune)"]];
  const cumulative = [bytes.weights, pipelineBytes, bytes.weights + bytes.gradients, bytes.weights + bytes.gradients + bytes.adamw, bytes.total];
  for (const backend of [...new Set([...measured, "wasm", "cpu"])]) {
    const cap = backendCapacity(backend);
    const verdict = (b: number): string => (!cap ? `? (${gb(b)})` : b < cap.bytes ? `fits, ${gb(cap.bytes - b)} left` : `NO (${gb(b)})`);
    rows.push([backend, cap?.label ?? "GPU memory (unknown here)", ...cumulative.map(verdict)]);
  }
  console.log(table(rows));
  console.log("  (fine-tuning columns count the UNet only: the VAE and text encoder stay frozen, and activations come on top)");
}

async function main(): Promise<void> {
  const args = parseOrExit("bench:trainer", parseArgs, process.argv.slice(2));
  if (args.child) {
    try {
      const r = await measureTrainStep(args.child.backend, args.child.case, args.child.latent, args);
      console.log(RESULT_TAG + JSON.stringify(r));
    } catch (e) {
      console.log((e as Error).message);
      process.exitCode = 3;
    }
    return;
  }
  if (!fs.existsSync(path.join(args.model, "model_index.json"))) throw new Error(`--model: no pipeline at ${args.model}`);
  await parent(args);
}

// Dawn keeps the event loop alive: exit when done.
main().then(
  () => process.exit(),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
