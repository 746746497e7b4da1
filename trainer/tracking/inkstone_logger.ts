/**
 * Reports a training run to an Inkstone server through the SDK (lib/sdk):
 * config, environment, per-step metrics, system metrics every 10 s, console
 * output, validation images and the final status. Everything is also kept
 * locally by the console logger.
 */
import * as sdk from "@/lib/sdk";
import { ConsoleLogger, type ImageMeta, type RunStatus, type TrainLogger } from "../logger";
import { captureConsole } from "./console_capture";
import { trainerEnvironment } from "./environment";
import { sampleSystemMetrics } from "./system_metrics";

export class InkstoneLogger implements TrainLogger {
  private systemStep = 0;
  private readonly stopSystemMetrics: () => void;
  private readonly stopCapture: () => void;

  private constructor(
    private readonly run: sdk.Run,
    private readonly local: ConsoleLogger,
  ) {
    this.stopCapture = captureConsole((line, stream) => run.logText(line, stream));
    this.stopSystemMetrics = sampleSystemMetrics((metrics) => run.log(metrics, this.systemStep++));
  }

  /** Attaches to the run named by INKSTONE_RUN_ID/INKSTONE_RUN_TOKEN when the server launched us, else creates one. */
  static async create(opts: { url: string | null; project: string; localDir: string; spoolDir: string }): Promise<InkstoneLogger> {
    const run = await sdk.init({
      url: opts.url ?? undefined,
      project: opts.project,
      environment: await trainerEnvironment(),
      spoolDir: opts.spoolDir,
    });
    if (run.pageUrl) console.log(`inkstone: logging to ${run.pageUrl}`);
    return new InkstoneLogger(run, new ConsoleLogger(opts.localDir));
  }

  start(config: Record<string, unknown>): void {
    this.local.start(config);
    // The run page shows where the metrics went: here, whatever --report_to said (tensorboard by default).
    this.run.updateConfig({ ...config, report_to: "inkstone" });
  }

  log(metrics: Record<string, number>, step: number): void {
    this.local.log(metrics, step);
    this.run.log(metrics, step);
  }

  logImage(key: string, png: Buffer, meta: ImageMeta): void {
    this.local.logImage(key, png, meta);
    this.run.logImage(key, png, { step: meta.step, epoch: meta.epoch, caption: meta.caption, index: meta.index });
  }

  /** Printed lines reach the run through the console capture. */
  logText(line: string): void {
    this.local.logText(line);
  }

  async finish(status: RunStatus, error?: string): Promise<void> {
    this.stopSystemMetrics();
    this.local.finish(status, error);
    this.stopCapture();
    const result = await this.run.finish(status, error);
    if (!result.delivered && result.spoolDir) console.log(`inkstone: the server was unreachable; upload later with: npm run sync -- ${result.spoolDir}`);
  }
}
