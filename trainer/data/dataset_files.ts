/**
 * Which files of a dataset folder hold its training split, following the
 * Hugging Face datasets conventions for the two layouts the trainer reads:
 * parquet files (`data/train-00000-of-00001.parquet`) and image folders with
 * a `metadata.jsonl` next to the images.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Parquet files and metadata.jsonl files under a folder (a few levels deep), sorted by path. */
export function findDataFiles(dir: string, depth = 4): string[] {
  if (depth < 0 || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    if (fs.statSync(p).isDirectory()) out.push(...findDataFiles(p, depth - 1));
    else if (entry.name.endsWith(".parquet") || entry.name === "metadata.jsonl") out.push(p);
  }
  return out;
}

const SPLIT_WORD = (split: string): RegExp => new RegExp(`(^|[-_./ ])${split}([-_./ 0-9]|$)`);
const OTHER_SPLITS = ["test", "testing", "eval", "evaluation", "valid", "validation", "dev"];

/**
 * The files of the train split: those whose path (relative to the dataset root)
 * names "train"; when no file names any split, all of them.
 */
export function trainSplitFiles(root: string, files: string[]): string[] {
  const rel = (f: string): string => path.relative(root, f).toLowerCase();
  const train = files.filter((f) => SPLIT_WORD("train").test(rel(f)));
  if (train.length) return train;
  return files.filter((f) => !OTHER_SPLITS.some((s) => SPLIT_WORD(s).test(rel(f))));
}
