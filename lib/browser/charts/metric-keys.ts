import type { XAxis } from "./view-state";

/** The order charts are laid out in, shared by the charts panel and the series read with a page. */
const FIRST = ["train_loss", "lr", "epoch"];

/** Training keys first in a fixed order, then by name; "system/" keys apart. */
export function groupMetricKeys(keys: Iterable<string>): { training: string[]; system: string[] } {
  const all = [...new Set(keys)];
  const rank = (k: string) => (FIRST.includes(k) ? FIRST.indexOf(k) : FIRST.length);
  const training = all.filter((k) => !isSystemKey(k)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const system = all.filter(isSystemKey).sort();
  return { training, system };
}

/** CPU, memory and GPU samples, logged every few seconds under "system/". */
export function isSystemKey(key: string): boolean {
  return key.startsWith("system/");
}

/**
 * The x axis a chart of `key` uses: system metrics count samples, not
 * training steps, so against steps they would plot over a meaningless 0..n;
 * they take time since the start instead, unless wall time is chosen.
 */
export function chartXAxis(key: string, chosen: XAxis): XAxis {
  return isSystemKey(key) && chosen === "step" ? "relative" : chosen;
}
