/** Problems are reported to the user, once each, and never thrown into the training loop. */
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

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
