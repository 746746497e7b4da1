import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../trainer/backend";
import { readSafetensors, readSafetensorsHeader, SafetensorsFile, writeSafetensors } from "../../../trainer/weights/safetensors";

await selectBackend();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-safetensors-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** A safetensors file assembled by hand, for headers our writer would never produce. */
function rawFile(name: string, header: Record<string, unknown>, data: Uint8Array): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.concat([len, json, data]));
  return file;
}

async function roundTrip(tensors: Map<string, tf.Tensor>, opts?: Parameters<typeof writeSafetensors>[2]): Promise<Map<string, tf.Tensor>> {
  const file = path.join(tmp, `rt-${Math.random().toString(36).slice(2)}.safetensors`);
  await writeSafetensors(file, tensors, opts);
  return readSafetensors(file);
}

test("F32, I64, scalar and empty tensors round-trip exactly", async () => {
  const tensors = new Map<string, tf.Tensor>([
    ["b.weight", tf.randomNormal([3, 5, 2])],
    ["a.ids", tf.tensor2d([[49406, -7], [2147483647, -2147483648]], [2, 2], "int32")],
    ["scalar", tf.scalar(3.25)],
    ["empty", tf.zeros([0, 4])],
  ]);
  const back = await roundTrip(tensors);
  assert.deepEqual([...back.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, t] of tensors) {
    const r = back.get(name)!;
    assert.deepEqual(r.shape, t.shape, name);
    assert.equal(r.dtype, t.dtype, name);
    assert.deepEqual(await r.data(), await t.data(), name);
  }
});

test("the header is sorted, 8-byte aligned, typed I64 for ids, and keeps metadata", async () => {
  const file = path.join(tmp, "header.safetensors");
  await writeSafetensors(file, new Map<string, tf.Tensor>([["z", tf.ones([2])], ["ids", tf.tensor1d([1, 2], "int32")], ["m", tf.zeros([3])]]), {
    metadata: { format: "pt" },
  });
  const h = await readSafetensorsHeader(file);
  assert.equal(h.dataStart % 8, 0);
  assert.deepEqual(h.metadata, { format: "pt" });
  assert.deepEqual([...h.tensors.keys()], ["ids", "m", "z"]);
  assert.equal(h.tensors.get("ids")!.dtype, "I64");
  assert.deepEqual(h.tensors.get("m")!.dataOffsets, [16, 28]);
});

test("F16 and BF16 store half-precision values exactly and round to nearest even", async () => {
  // Values exact in both formats, then ties and overflow/underflow cases.
  const exact = [0, -0, 1, -2.5, 0.15625, 96.5, 2 ** -14, -(2 ** -10)];
  const halfCases: Array<[number, number]> = [
    [1 + 2 ** -11, 1], // tie -> even mantissa
    [1 + 3 * 2 ** -11, 1 + 2 ** -9], // tie -> even (rounds up)
    [2 ** -24, 2 ** -24], // smallest subnormal
    [2 ** -26, 0], // underflow
    [65520, Infinity], // overflow
    [65504, 65504], // largest half
  ];
  const bf16Cases: Array<[number, number]> = [
    [1 + 2 ** -8, 1], // tie -> even
    [1 + 3 * 2 ** -8, 1 + 2 ** -6], // tie -> even (rounds up)
    [3.4e38, Infinity], // past bf16's largest finite value (3.39e38)
  ];
  for (const [dtype, cases] of [["F16", halfCases], ["BF16", bf16Cases]] as const) {
    const input = [...exact, ...cases.map(([x]) => x), NaN];
    const back = await roundTrip(new Map([["x", tf.tensor1d(input)]]), { dtype });
    const got = Array.from(await back.get("x")!.data());
    const want = [...exact, ...cases.map(([, y]) => y)];
    assert.deepEqual(got.slice(0, -1), want, dtype);
    assert.ok(Number.isNaN(got[got.length - 1]), `${dtype} NaN`);
  }
});

test("a large-ish tensor (4M floats) streams through", async () => {
  const big = tf.randomUniform([2048, 2048]);
  const back = await roundTrip(new Map([["big", big]]));
  assert.deepEqual(await back.get("big")!.data(), await big.data());
});

test("tensors beyond the 2 GB mark are read by byte range", async () => {
  // A sparse 2.2 GB file: a filler tensor that is never read, then a small one past 2^31.
  const fillerBytes = 2_200_000_000;
  const header = {
    filler: { dtype: "F32", shape: [fillerBytes / 4], data_offsets: [0, fillerBytes] },
    tail: { dtype: "F32", shape: [3], data_offsets: [fillerBytes, fillerBytes + 12] },
  };
  const file = rawFile("sparse.safetensors", header, new Uint8Array(0));
  const dataStart = fs.statSync(file).size;
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, new Uint8Array(new Float32Array([1.5, -2, 7]).buffer), 0, 12, dataStart + fillerBytes);
  fs.closeSync(fd);
  const st = SafetensorsFile.open(file);
  try {
    assert.deepEqual(Array.from(await st.read("tail").data()), [1.5, -2, 7]);
  } finally {
    st.close();
  }
});

test("truncated files and lying headers give clear errors", async () => {
  const good = path.join(tmp, "good.safetensors");
  await writeSafetensors(good, new Map([["w", tf.ones([4, 4])]]));
  const bytes = fs.readFileSync(good);

  const truncated = path.join(tmp, "truncated.safetensors");
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(readSafetensors(truncated), /tensor w ends at data byte 64 but only 54 bytes follow the header/);

  const headerCut = path.join(tmp, "header-cut.safetensors");
  fs.writeFileSync(headerCut, bytes.subarray(0, 20));
  await assert.rejects(readSafetensors(headerCut), /header length \d+ does not fit in a file of 20 bytes/);

  const wrongSize = rawFile("wrong-size.safetensors", { w: { dtype: "F32", shape: [4], data_offsets: [0, 12] } }, new Uint8Array(12));
  await assert.rejects(readSafetensors(wrongSize), /tensor w \(F32 \[4\]\) needs 16 bytes but data_offsets \[0,12\] span 12/);

  const overlap = rawFile(
    "overlap.safetensors",
    { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } },
    new Uint8Array(12),
  );
  await assert.rejects(readSafetensors(overlap), /tensor b starts at data byte 4 but the previous tensor ends at 8/);

  const trailing = rawFile("trailing.safetensors", { a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8));
  await assert.rejects(readSafetensors(trailing), /tensors cover 4 data bytes but the file has 8/);

  const badDtype = rawFile("dtype.safetensors", { a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
  await assert.rejects(readSafetensors(badDtype), /unsupported dtype C64/);

  const notJson = path.join(tmp, "not-json.safetensors");
  fs.writeFileSync(notJson, Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{oops")]));
  await assert.rejects(readSafetensors(notJson), /header is not valid JSON/);
});

test("int64 values outside int32 are refused", async () => {
  const data = new BigInt64Array([1n, 2n ** 40n]);
  const file = rawFile("i64.safetensors", { ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, new Uint8Array(data.buffer));
  await assert.rejects(readSafetensors(file), /int64 value 1099511627776 does not fit in int32/);
});
