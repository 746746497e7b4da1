/**
 * A tqdm-style progress bar for optimizer steps:
 *   Steps:  12%|██▍                 | 12/100 [00:34<04:10,  2.85s/it, loss=0.0923, lr=1e-05]
 * On a terminal it redraws one line; otherwise (logs, CI) it prints a line at
 * most every `logEverySeconds` and at the end.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((v) => String(v).padStart(2, "0"));
  return s >= 3600 ? hms.join(":") : hms.slice(1).join(":");
}

/** tqdm's rate display: it/s when at least one step per second, else s/it. */
function rate(stepsPerSecond: number): string {
  if (!(stepsPerSecond > 0) || !Number.isFinite(stepsPerSecond)) return "?it/s";
  return stepsPerSecond >= 1 ? `${stepsPerSecond.toFixed(2)}it/s` : `${(1 / stepsPerSecond).toFixed(2)}s/it`;
}

export function formatValue(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? Number(v.toPrecision(4)).toString() : v.toExponential(2);
}

export class ProgressBar {
  private done: number;
  private readonly startedAt = performance.now();
  private lastDraw = -Infinity;
  private lastDrawnStep = -1;
  private postfix: Record<string, number> = {};

  constructor(
    private readonly total: number,
    private readonly initial = 0,
    private readonly stream: ProgressStream = process.stderr,
    private readonly logEverySeconds = 10,
    private readonly desc = "Steps",
  ) {
    this.done = initial;
  }

  /** Steps per second over this session (resumed steps excluded). */
  get stepsPerSecond(): number {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    return elapsed > 0 ? (this.done - this.initial) / elapsed : 0;
  }

  line(): string {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const width = 20;
    const cells = frac * width;
    const partial = " ▏▎▍▌▋▊▉"[Math.floor((cells % 1) * 8)];
    const bar = ("█".repeat(Math.floor(cells)) + (cells < width ? partial : "")).padEnd(width, " ");
    const eta = (this.total - this.done) / this.stepsPerSecond;
    const extras = Object.entries(this.postfix).map(([k, v]) => `${k}=${formatValue(v)}`);
    const stats = [`${clock(elapsed)}<${clock(eta)}`, rate(this.stepsPerSecond), ...extras].join(", ");
    return `${this.desc}: ${String(Math.floor(frac * 100)).padStart(3)}%|${bar}| ${this.done}/${this.total} [${stats}]`;
  }

  /** Advances by `steps` optimizer steps and/or replaces the postfix values (loss, lr, ...). */
  update(steps: number, postfix?: Record<string, number>): void {
    this.done += steps;
    if (postfix) this.postfix = postfix;
    const now = performance.now();
    const interval = this.stream.isTTY ? 100 : this.logEverySeconds * 1000;
    if (now - this.lastDraw >= interval) this.draw();
  }

  private draw(): void {
    this.lastDraw = performance.now();
    this.lastDrawnStep = this.done;
    this.stream.write(this.stream.isTTY ? `\r${this.line()}\x1b[K` : `${this.line()}\n`);
  }

  /** Draws the final state (unless already shown) and ends the line. */
  close(): void {
    if (this.stream.isTTY || this.lastDrawnStep !== this.done) this.draw();
    if (this.stream.isTTY) this.stream.write("\n");
  }
}
