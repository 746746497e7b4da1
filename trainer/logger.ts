/**
 * Where a training run reports to. The trainer only talks to this interface,
 * so a tracker SDK (Inkstone) can be plugged in; ConsoleLogger is the local
 * stand-in: metrics go to a JSON-lines file, images to PNG files, text to stdout.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type RunStatus = "finished" | "failed" | "cancelled";

export interface ImageMeta {
  caption: string;
  step: number;
  epoch: number;
  /** Position within the step, e.g. which validation prompt. */
  index: number;
}

export interface TrainLogger {
  /** The run's configuration: every option after defaults, plus the derived epoch and step counts. */
  start(config: Record<string, unknown>): void | Promise<void>;
  log(metrics: Record<string, number>, step: number): void | Promise<void>;
  logImage(key: string, png: Buffer, meta: ImageMeta): void | Promise<void>;
  logText(line: string): void | Promise<void>;
  finish(status: RunStatus, error?: string): void | Promise<void>;
}

/** On a terminal, clears the progress bar's line first so a message does not land at its end. */
function print(line: string): void {
  console.log(process.stdout.isTTY ? `\r\x1b[K${line}` : line);
}

/** Writes `metrics.jsonl` and `<key>/step-<N>-<i>.png` under `dir` (the seed's output_dir/logging_dir). */
export class ConsoleLogger implements TrainLogger {
  private readonly metricsFile: string;

  constructor(private readonly dir: string) {
    this.metricsFile = path.join(dir, "metrics.jsonl");
  }

  start(config: Record<string, unknown>): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(path.join(this.dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  }

  log(metrics: Record<string, number>, step: number): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.appendFileSync(this.metricsFile, `${JSON.stringify({ step, ...metrics })}\n`);
  }

  logImage(key: string, png: Buffer, meta: ImageMeta): void {
    const file = path.join(this.dir, key, `step-${meta.step}-${meta.index}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, png);
    print(`${key} image (epoch ${meta.epoch}, step ${meta.step}) "${meta.caption}" -> ${file}`);
  }

  logText(line: string): void {
    print(line);
  }

  finish(status: RunStatus, error?: string): void {
    const where = fs.existsSync(this.metricsFile) ? `; metrics in ${this.metricsFile}` : "";
    print(`run ${status}${error ? ` (${error})` : ""}${where}`);
  }
}
