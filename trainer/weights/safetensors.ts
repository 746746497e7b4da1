import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * mapping names to {dtype, shape, data_offsets}, then the raw little-endian data.
 * Files are read and written one tensor at a time so that multi-GB checkpoints
 * (SD1.5's UNet is 3.44 GB) never sit in a single Buffer.
 */

export type SafetensorsDtype = "F32" | "F16" | "BF16" | "I64" | "I32";

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Absolute file offset of the data section (8 + header length). */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };

/** A header this large is certainly not a real one (the reference implementation caps at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

function numElements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === "string" && Object.hasOwn(BYTES_PER_ELEMENT, s);
}

/** Reads exactly `bytes.byteLength` bytes at `position`, looping over short reads. */
function readFully(fd: number, bytes: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < bytes.byteLength) {
    const n = fs.readSync(fd, bytes, done, bytes.byteLength - done, position + done);
    if (n === 0) throw new Error(`${file}: unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function parseHeader(fd: number, file: string): SafetensorsHeader {
  const fileSize = fs.fstatSync(fd).size;
  if (fileSize < 8) throw new Error(`${file}: not a safetensors file (only ${fileSize} bytes)`);
  const lengthBytes = new Uint8Array(8);
  readFully(fd, lengthBytes, 0, file);
  const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
    throw new Error(`${file}: header length ${headerLength} does not fit in a file of ${fileSize} bytes (truncated or not safetensors)`);
  }
  const headerBytes = new Uint8Array(headerLength);
  readFully(fd, headerBytes, 8, file);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (e) {
    throw new Error(`${file}: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`${file}: header is not a JSON object`);

  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(e.dtype)) throw new Error(`${file}: tensor ${name} has unsupported dtype ${String(e.dtype)}`);
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${file}: tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      throw new Error(`${file}: tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const expected = numElements(shape) * BYTES_PER_ELEMENT[e.dtype];
    if (offsets[1] - offsets[0] !== expected) {
      throw new Error(
        `${file}: tensor ${name} (${e.dtype} [${shape}]) needs ${expected} bytes but data_offsets [${offsets}] span ${offsets[1] - offsets[0]}`,
      );
    }
    if (offsets[1] > dataLength) {
      throw new Error(
        `${file}: tensor ${name} ends at data byte ${offsets[1]} but only ${dataLength} bytes follow the header (file truncated?)`,
      );
    }
    tensors.set(name, { dtype: e.dtype, shape, dataOffsets: [offsets[0], offsets[1]] });
  }
  checkContiguous(tensors, dataLength, file);
  return { dataStart, tensors, metadata };
}

/** Like the reference reader: tensors must tile the data section exactly, with no gaps or overlaps. */
function checkContiguous(tensors: Map<string, TensorInfo>, dataLength: number, file: string): void {
  const ranges = [...tensors].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let end = 0;
  for (const [name, info] of ranges) {
    if (info.dataOffsets[0] !== end) {
      throw new Error(`${file}: tensor ${name} starts at data byte ${info.dataOffsets[0]} but the previous tensor ends at ${end} (overlap or gap)`);
    }
    end = info.dataOffsets[1];
  }
  if (end !== dataLength) throw new Error(`${file}: tensors cover ${end} data bytes but the file has ${dataLength}`);
}

/** Decodes IEEE half-precision bits to float32, exactly. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const HALF_TO_FLOAT = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  return table;
})();

/** Converts raw little-endian bytes of one tensor to the values tfjs stores (float32 or int32). */
function decode(bytes: Uint8Array, dtype: SafetensorsDtype, name: string): Float32Array | Int32Array {
  const n = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  switch (dtype) {
    case "F32":
      return new Float32Array(bytes.buffer, bytes.byteOffset, n);
    case "I32":
      return new Int32Array(bytes.buffer, bytes.byteOffset, n);
    case "F16": {
      const half = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = HALF_TO_FLOAT[half[i]];
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32.
      const half = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = half[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case "I64": {
      const wide = new BigInt64Array(bytes.buffer, bytes.byteOffset, n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = wide[i];
        if (v > 2147483647n || v < -2147483648n) throw new Error(`tensor ${name}: int64 value ${v} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/**
 * An open safetensors file whose tensors are read on demand, one byte range at a time.
 * Byte offsets are plain numbers, exact up to 2^53, so files far beyond 2 GB work.
 */
export class SafetensorsFile {
  private constructor(
    readonly file: string,
    private fd: number | null,
    readonly header: SafetensorsHeader,
  ) {}

  static open(file: string): SafetensorsFile {
    const fd = fs.openSync(file, "r");
    try {
      return new SafetensorsFile(file, fd, parseHeader(fd, file));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  /** Reads one tensor: floats come back as float32, integers as int32. The caller disposes. */
  read(name: string): tf.Tensor {
    if (this.fd === null) throw new Error(`${this.file}: already closed`);
    const info = this.header.tensors.get(name);
    if (!info) throw new Error(`${this.file}: no tensor named ${name}`);
    const [begin, end] = info.dataOffsets;
    // A fresh ArrayBuffer keeps every typed-array view aligned.
    const bytes = new Uint8Array(new ArrayBuffer(end - begin));
    readFully(this.fd, bytes, this.header.dataStart + begin, this.file);
    const values = decode(bytes, info.dtype, name);
    return tf.tensor(values, info.shape, values instanceof Int32Array ? "int32" : "float32");
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const st = SafetensorsFile.open(file);
  st.close();
  return st.header;
}

/** Every tensor of the file, floats upcast to float32 and int64 narrowed to int32. The caller disposes. */
export async function readSafetensors(file: string): Promise<Map<string, tf.Tensor>> {
  const st = SafetensorsFile.open(file);
  const out = new Map<string, tf.Tensor>();
  try {
    for (const name of st.names()) {
      out.set(name, st.read(name));
      // Let timers and sockets (progress reporting) run between tensors of a multi-GB file.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (e) {
    out.forEach((t) => t.dispose());
    throw e;
  } finally {
    st.close();
  }
  return out;
}

export type WritableFloatDtype = "F32" | "F16" | "BF16";

/** float32 -> IEEE half bits, rounding to nearest even like torch's `.half()`. */
function floatToHalf(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow to infinity
  if (e <= 0) {
    if (e < -10) return sign; // underflows to zero
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // may carry into the exponent, which is correct
  return sign | half;
}

/** float32 -> bfloat16 bits, rounding to nearest even (NaN stays NaN). */
function floatToBfloat16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

type WrittenDtype = WritableFloatDtype | "I64";

/** The little-endian bytes of one tensor's values stored as `dtype`. */
function encode(values: Float32Array | Int32Array, dtype: WrittenDtype): Uint8Array {
  switch (dtype) {
    case "F32":
      return new Uint8Array(Float32Array.from(values).buffer);
    case "F16":
    case "BF16": {
      const bits = new Uint32Array(Float32Array.from(values).buffer);
      const out = new Uint16Array(bits.length);
      const convert = dtype === "F16" ? floatToHalf : floatToBfloat16;
      for (let i = 0; i < bits.length; i++) out[i] = convert(bits[i]);
      return new Uint8Array(out.buffer);
    }
    case "I64":
      return new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
  }
}

async function writeFully(handle: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}

/**
 * Writes tensors (torch layout, as given) to a safetensors file, keys sorted, header padded with
 * spaces to a multiple of 8 as the reference writer does. Floats are stored as `opts.dtype`
 * (F32 by default), int32 tensors as I64 like torch's token ids. The file appears atomically
 * (written beside it, then renamed), and tensors are downloaded one at a time.
 */
export async function writeSafetensors(
  file: string,
  tensors: Map<string, tf.Tensor>,
  opts: { dtype?: WritableFloatDtype; metadata?: Record<string, string> } = {},
): Promise<void> {
  const floatDtype = opts.dtype ?? "F32";
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = opts.metadata;
  const dtypes = new Map<string, WrittenDtype>();
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (t.dtype !== "float32" && t.dtype !== "int32") throw new Error(`writeSafetensors: tensor ${name} has unsupported dtype ${t.dtype}`);
    const dtype = t.dtype === "int32" ? "I64" : floatDtype;
    const bytes = t.size * BYTES_PER_ELEMENT[dtype];
    dtypes.set(name, dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json);
  json += " ".repeat((8 - (jsonBytes % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(headerBytes.length));

  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  const handle = await fs.promises.open(partial, "w");
  try {
    await writeFully(handle, lengthBytes);
    await writeFully(handle, headerBytes);
    for (const name of names) {
      const values = (await tensors.get(name)!.data()) as Float32Array | Int32Array;
      await writeFully(handle, encode(values, dtypes.get(name)!));
    }
  } catch (e) {
    await handle.close();
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
  await handle.close();
  await fs.promises.rename(partial, file);
}
