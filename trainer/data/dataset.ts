/**
 * The training examples: image bytes plus a caption (or a list of captions),
 * read from a dataset folder in the hub's parquet layout or from an image
 * folder with metadata.jsonl, the two layouts `datasets.load_dataset` reads
 * for the seed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { trainSplitFiles, findDataFiles } from "./dataset_files";

export type Caption = string | string[];

export interface Example {
  /** Encoded image (JPEG, PNG, ...). */
  loadImage(): Promise<Uint8Array>;
  caption: Caption;
}

export interface ImageCaptionDataset {
  examples: Example[];
  columnNames: string[];
  /** Where the examples came from, for the log. */
  description: string;
}

export interface DatasetColumns {
  imageColumn: string;
  captionColumn: string;
}

/** The seed's check: a named column must exist. */
function checkColumns(columnNames: string[], { imageColumn, captionColumn }: DatasetColumns): void {
  for (const [flag, column] of [
    ["image_column", imageColumn],
    ["caption_column", captionColumn],
  ] as const) {
    if (!columnNames.includes(column)) {
      throw new Error(`--${flag} value '${column}' needs to be one of: ${columnNames.join(", ")}`);
    }
  }
}

function toCaption(value: unknown, column: string): Caption {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return value as string[];
  throw new Error(`Caption column \`${column}\` should contain either strings or lists of strings.`);
}

/**
 * An image cell as datasets stores it: raw bytes, or the Image feature's struct
 * {bytes, path} where bytes may be null and path points next to the data file.
 */
function imageLoader(cell: unknown, baseDir: string, column: string): () => Promise<Uint8Array> {
  if (cell instanceof Uint8Array) return async () => cell;
  if (cell && typeof cell === "object") {
    const { bytes, path: p } = cell as { bytes?: unknown; path?: unknown };
    if (bytes instanceof Uint8Array) return async () => bytes;
    if (typeof p === "string" && p) return () => fs.promises.readFile(path.resolve(baseDir, p));
  }
  throw new Error(`Image column \`${column}\` should hold image bytes or an {bytes, path} struct`);
}

async function readParquet(file: string, columns: DatasetColumns): Promise<{ examples: Example[]; columnNames: string[] }> {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const columnNames = parquetSchema(metadata).children.map((c) => c.element.name);
  checkColumns(columnNames, columns);
  const rows = await parquetReadObjects({
    file: buffer,
    metadata,
    columns: [columns.imageColumn, columns.captionColumn],
    utf8: false, // keep unannotated binary (the image bytes) as bytes; UTF8 strings still decode
  });
  const examples = rows.map((row) => ({
    loadImage: imageLoader(row[columns.imageColumn], path.dirname(file), columns.imageColumn),
    caption: toCaption(row[columns.captionColumn], columns.captionColumn),
  }));
  return { examples, columnNames };
}

async function readMetadataJsonl(file: string, columns: DatasetColumns): Promise<{ examples: Example[]; columnNames: string[] }> {
  const dir = path.dirname(file);
  const records = (await fs.promises.readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line.trim())
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${file}:${i + 1}: not valid JSON`);
      }
    });
  // As datasets' imagefolder: `file_name` becomes the `image` column, other keys stay.
  const columnNames = ["image", ...new Set(records.flatMap((r) => Object.keys(r)).filter((k) => k !== "file_name"))];
  checkColumns(columnNames, columns);
  const examples = records.map((r, i) => {
    if (typeof r.file_name !== "string") throw new Error(`${file}:${i + 1}: missing "file_name"`);
    const imagePath = path.resolve(dir, r.file_name);
    const cell = columns.imageColumn === "image" ? { path: imagePath } : r[columns.imageColumn];
    return { loadImage: imageLoader(cell, dir, columns.imageColumn), caption: toCaption(r[columns.captionColumn], columns.captionColumn) };
  });
  return { examples, columnNames };
}

/** Reads the train split of a local dataset folder (parquet layout or image folder with metadata.jsonl). */
export async function loadImageCaptionDataset(root: string, columns: DatasetColumns): Promise<ImageCaptionDataset> {
  const files = trainSplitFiles(root, findDataFiles(root));
  const parquet = files.filter((f) => f.endsWith(".parquet"));
  const chosen = parquet.length ? parquet : files;
  if (!chosen.length) {
    throw new Error(
      `no training data in ${root}: expected parquet files (data/train-*.parquet) or an image folder with metadata.jsonl`,
    );
  }
  const examples: Example[] = [];
  let columnNames: string[] = [];
  for (const file of chosen) {
    const part = file.endsWith(".parquet") ? await readParquet(file, columns) : await readMetadataJsonl(file, columns);
    examples.push(...part.examples);
    columnNames = part.columnNames;
  }
  const kind = parquet.length ? `${chosen.length} parquet file(s)` : "image folder";
  return { examples, columnNames, description: `${examples.length} examples from ${root} (${kind})` };
}

/** --max_train_samples: like the seed's `dataset.shuffle(seed).select(range(n))`. */
export function limitExamples(dataset: ImageCaptionDataset, maxSamples: number | null, shuffle: (n: number) => number[]): ImageCaptionDataset {
  if (maxSamples === null || maxSamples >= dataset.examples.length) return dataset;
  const order = shuffle(dataset.examples.length).slice(0, maxSamples);
  return { ...dataset, examples: order.map((i) => dataset.examples[i]), description: `${dataset.description}, ${maxSamples} sampled` };
}
