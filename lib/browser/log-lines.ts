/**
 * Merging log lines that reach a page by different paths (the server render,
 * a catch-up read after subscribing, live events): the trainer numbers its
 * lines, so each sequence number is kept once and the result is in order, and
 * a line read late still lands in its place instead of leaving a gap.
 */
import type { LiveLogLine } from "@/lib/protocol/schemas";

export function mergeLogLines(held: readonly LiveLogLine[], incoming: readonly LiveLogLine[]): LiveLogLine[] {
  if (!incoming.length) return held as LiveLogLine[];
  const bySeq = new Map(held.map((l) => [l.seq, l]));
  let changed = false;
  for (const line of incoming) {
    if (bySeq.has(line.seq)) continue;
    bySeq.set(line.seq, line);
    changed = true;
  }
  return changed ? [...bySeq.values()].sort((a, b) => a.seq - b.seq) : (held as LiveLogLine[]);
}

/** The highest sequence number among `lines`, or -1. */
export function lastLogSeq(...lists: ReadonlyArray<readonly LiveLogLine[]>): number {
  return Math.max(-1, ...lists.map((l) => l.at(-1)?.seq ?? -1));
}

/** A tqdm-style progress bar ("Steps:  12%|██▍   | 12/100 [...]"): tools write these to stderr, but they are not errors. */
const PROGRESS_LINE = /\d+%\|[^|]*\|\s*\d+\/\d+/;

/** Whether a line reads as an error or warning in the console: stderr, unless it is a progress bar. */
export function isErrorLine(line: Pick<LiveLogLine, "stream" | "text">): boolean {
  return line.stream === "stderr" && !PROGRESS_LINE.test(line.text);
}
