/** Problems are reported to the user, once each, and never thrown into the training loop. */
import type { BatchResult } from "../protocol/wire.ts";

export type WarningSink = (message: string) => void;

export const stderrSink: WarningSink = (message) => process.stderr.write(`inkstone: ${message}\n`);

export class Reporter {
  private seen = new Set<string>();

  constructor(private readonly sink: WarningSink = stderrSink) {}

  /** Reports `message` the first time `topic` comes up; later ones are dropped. */
  once(topic: string, message: string): void {
    if (this.seen.has(topic)) return;
    this.seen.add(topic);
    this.emit(message);
  }

  /** Reports every time: for things the user must see, like where an offline spool was left. */
  emit(message: string): void {
    try {
      this.sink(message);
    } catch {
      // a broken sink must not break the training loop either
    }
  }
}

/**
 * Reports the points or log lines a batch's answer lists as refused, once per
 * kind of problem. The server stored the rest; these are never resent.
 */
export function reportRefusals(report: Reporter, kind: string, answer: unknown): void {
  const refused = (answer as Partial<BatchResult> | undefined)?.refused;
  if (!Array.isArray(refused)) return;
  for (const { error } of refused) {
    // "points.12.key: ..." -> "key: ...", so that the same problem is reported once.
    const problem = String(error).replace(/^\w+\.\d+\./, "");
    report.once(`refused:${kind}:${problem}`, `the server refused ${kind === "logs" ? "a log line" : "a point"} (${problem}); the rest of its batch is stored, this one will not be resent`);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
