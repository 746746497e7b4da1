/**
 * Turns the flat list of logged images into grids: one grid per image key
 * (a series: "validation", "samples", or whatever an SDK logs), one row per
 * prompt, one column per epoch.
 *
 * How an image finds its row: the trainer (and any client that wants a grid)
 * captions each image "{i}: {prompt}" and sends `index` i. Within a run the row
 * is the index, labelled with the prompt text; across runs (compare) rows are
 * matched by prompt text, since two runs may list their prompts in different
 * orders. A caption without the "{i}: " prefix is the prompt text whole.
 *
 * The server's samples (SAMPLES_KEY, generated from a run's final model) are a
 * series of their own, not an epoch of the validation grid: views show them
 * as a gallery and keep them off the epoch slider.
 */
import { SAMPLES_KEY, VALIDATION_KEY, type LiveImage } from "@/lib/protocol/wire";

export interface GridRow {
  index: number;
  prompt: string;
}

export interface ImageGrid {
  key: string;
  rows: GridRow[];
  /** Ascending; an image without an epoch is placed by its step. */
  epochs: number[];
  /** `cellKey(index, epoch)` -> the image (the latest step when an epoch holds several). */
  cells: Map<string, LiveImage>;
}

export function cellKey(index: number, epoch: number): string {
  return `${index}@${epoch}`;
}

/** The column an image belongs to. */
export function imageEpoch(image: Pick<LiveImage, "epoch" | "step">): number {
  return image.epoch ?? image.step;
}

/** "3: Lebron James with a hat" -> "Lebron James with a hat"; other captions are kept whole. */
export function promptOf(caption: string | null, index: number): string {
  if (!caption) return `#${index}`;
  const m = /^\s*(\d+)\s*:\s*(.*)$/s.exec(caption);
  return m ? m[2] : caption;
}

/** One grid per image key, in key order. */
export function buildImageGrids(images: readonly LiveImage[]): ImageGrid[] {
  const byKey = new Map<string, LiveImage[]>();
  for (const image of images) {
    const list = byKey.get(image.key) ?? [];
    list.push(image);
    byKey.set(image.key, list);
  }
  return [...byKey.keys()].sort().map((key) => buildImageGrid(key, byKey.get(key)!));
}

export function buildImageGrid(key: string, images: readonly LiveImage[]): ImageGrid {
  const rows = new Map<number, GridRow>();
  const epochs = new Set<number>();
  const cells = new Map<string, LiveImage>();
  for (const image of images) {
    const epoch = imageEpoch(image);
    epochs.add(epoch);
    // The first caption seen names the row; later epochs repeat the same prompt.
    if (!rows.has(image.index) || (rows.get(image.index)!.prompt.startsWith("#") && image.caption)) {
      rows.set(image.index, { index: image.index, prompt: promptOf(image.caption, image.index) });
    }
    const k = cellKey(image.index, epoch);
    const held = cells.get(k);
    if (!held || held.step < image.step) cells.set(k, image);
  }
  return {
    key,
    rows: [...rows.values()].sort((a, b) => a.index - b.index),
    epochs: [...epochs].sort((a, b) => a - b),
    cells,
  };
}

/**
 * The largest epoch in `epochs` (ascending) that is <= `target`, or null when
 * every epoch is later. Compare uses it so runs whose validation epochs differ
 * each show their latest image up to the slider's epoch.
 */
export function nearestEarlierEpoch(epochs: readonly number[], target: number): number | null {
  let lo = 0;
  let hi = epochs.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (epochs[mid] <= target) {
      found = epochs[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The image a grid shows for one prompt at `epoch`, falling back to the nearest earlier epoch. */
export function imageAtOrBefore(grid: ImageGrid, index: number, epoch: number): LiveImage | null {
  // Rows may miss some epochs, so search only the epochs this row has.
  const rowEpochs = grid.epochs.filter((e) => grid.cells.has(cellKey(index, e)));
  const e = nearestEarlierEpoch(rowEpochs, epoch);
  return e === null ? null : grid.cells.get(cellKey(index, e))!;
}

/** Sorted union of several grids' epochs: the stops of compare's shared slider. */
export function unionEpochs(grids: readonly ImageGrid[]): number[] {
  return [...new Set(grids.flatMap((g) => g.epochs))].sort((a, b) => a - b);
}

/** The grid's row for a prompt text, or null when the run has no such prompt. */
export function rowOfPrompt(grid: ImageGrid, prompt: string): GridRow | null {
  return grid.rows.find((r) => r.prompt === prompt) ?? null;
}

/**
 * The prompts of several grids, matched by text: the first grid's in its order,
 * then each prompt only a later grid has, in that grid's order.
 */
export function unionPrompts(grids: readonly ImageGrid[]): string[] {
  return [...new Set(grids.flatMap((g) => g.rows.map((r) => r.prompt)))];
}

/** True when `prompt` passes a view's prompt filter (case-insensitive substring; empty passes all). */
export function matchesPromptFilter(prompt: string, filter: string): boolean {
  return prompt.toLowerCase().includes(filter.trim().toLowerCase());
}

/** The key a view opens on when none is chosen: the validation grid, else the first epoch series, else the first key. */
export function defaultImageKey(keys: readonly string[]): string | undefined {
  if (keys.includes(VALIDATION_KEY)) return VALIDATION_KEY;
  return keys.find((k) => k !== SAMPLES_KEY) ?? keys[0];
}

/** The chosen key when the images have it, else the default. */
export function activeImageKey(keys: readonly string[], chosen: string): string | undefined {
  return keys.includes(chosen) ? chosen : defaultImageKey(keys);
}
