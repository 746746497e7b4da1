/** The order charts are laid out in, shared by the charts panel and the series read with a page. */
const FIRST = ["train_loss", "lr", "epoch"];

/** Training keys first in a fixed order, then by name; "system/" keys apart. */
export function groupMetricKeys(keys: Iterable<string>): { training: string[]; system: string[] } {
  const all = [...new Set(keys)];
  const rank = (k: string) => (FIRST.includes(k) ? FIRST.indexOf(k) : FIRST.length);
  const training = all.filter((k) => !k.startsWith("system/")).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const system = all.filter((k) => k.startsWith("system/")).sort();
  return { training, system };
}
