/**
 * Writes a captioned image dataset in one of the layouts the trainer reads:
 * the hub's parquet layout (data/train-00000-of-00001.parquet with an `image`
 * struct {bytes, path} and a `text` column), when the optional package
 * hyparquet-writer is installed, or else an image folder with metadata.jsonl.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface CaptionedPng {
  fileName: string;
  png: Uint8Array;
  text: string;
}

export type DatasetLayout = "parquet" | "imagefolder";

interface ParquetWriter {
  parquetWriteBuffer(opts: { columnData: Array<{ name: string; data: unknown[] }>; schema: unknown[] }): ArrayBuffer;
}

/** hyparquet-writer when installed; a variable specifier keeps tsc from requiring it. */
export async function loadParquetWriter(): Promise<ParquetWriter | null> {
  const specifier = "hyparquet-writer";
  try {
    return (await import(specifier)) as ParquetWriter;
  } catch {
    return null;
  }
}

/** The schema `datasets` writes for an Image feature plus a string column. */
const HUB_SCHEMA = [
  { name: "schema", num_children: 2 },
  { name: "image", repetition_type: "OPTIONAL", num_children: 2 },
  { name: "bytes", repetition_type: "OPTIONAL", type: "BYTE_ARRAY" },
  { name: "path", repetition_type: "OPTIONAL", type: "BYTE_ARRAY", converted_type: "UTF8" },
  { name: "text", repetition_type: "OPTIONAL", type: "BYTE_ARRAY", converted_type: "UTF8" },
];

export async function writeParquetDataset(dir: string, rows: CaptionedPng[], writer: ParquetWriter): Promise<void> {
  const buffer = writer.parquetWriteBuffer({
    columnData: [
      { name: "image", data: rows.map((r) => ({ bytes: r.png, path: r.fileName })) },
      { name: "text", data: rows.map((r) => r.text) },
    ],
    schema: HUB_SCHEMA,
  });
  await fs.promises.mkdir(path.join(dir, "data"), { recursive: true });
  await fs.promises.writeFile(path.join(dir, "data", "train-00000-of-00001.parquet"), new Uint8Array(buffer));
}

export async function writeImageFolderDataset(dir: string, rows: CaptionedPng[]): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true });
  for (const r of rows) await fs.promises.writeFile(path.join(dir, r.fileName), r.png);
  const lines = rows.map((r) => JSON.stringify({ file_name: r.fileName, text: r.text }));
  await fs.promises.writeFile(path.join(dir, "metadata.jsonl"), `${lines.join("\n")}\n`);
}

/** Writes the dataset as parquet when possible, else as an image folder; returns the layout used. */
export async function writeCaptionedDataset(dir: string, rows: CaptionedPng[]): Promise<DatasetLayout> {
  const writer = await loadParquetWriter();
  if (writer) {
    await writeParquetDataset(dir, rows, writer);
    return "parquet";
  }
  await writeImageFolderDataset(dir, rows);
  return "imagefolder";
}
