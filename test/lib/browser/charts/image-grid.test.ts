import { test } from "node:test";
import assert from "node:assert/strict";
import type { LiveImage } from "@/lib/protocol/wire";
import {
  buildImageGrid,
  buildImageGrids,
  cellKey,
  imageAtOrBefore,
  nearestEarlierEpoch,
  promptOf,
  unionEpochs,
  defaultImageKey,
  rowOfPrompt,
  unionPrompts,
} from "@/lib/browser/charts/image-grid";

let next = 0;
function img(p: Partial<LiveImage> & { index: number; step: number }): LiveImage {
  const id = `i${next++}`;
  return { id, key: "validation", epoch: null, caption: null, width: 8, height: 8, mimeType: "image/png", url: `/x/${id}`, ...p };
}

const prompts = ["Lebron James with a hat", "Mickael Jackson as a ninja", "Bill Gates with a hoodie"];
function validation(epoch: number, step: number): LiveImage[] {
  return prompts.map((p, i) => img({ index: i, step, epoch, caption: `${i}: ${p}` }));
}

test("promptOf strips the '{i}: ' prefix and keeps other captions", () => {
  assert.equal(promptOf("0: Lebron James with a hat", 0), "Lebron James with a hat");
  assert.equal(promptOf("12:a: b", 12), "a: b");
  assert.equal(promptOf("no prefix here", 1), "no prefix here");
  assert.equal(promptOf(null, 4), "#4");
});

test("grid: prompts in rows, epochs in columns", () => {
  const images = [...validation(2, 200), ...validation(0, 0), ...validation(1, 100)];
  const grid = buildImageGrid("validation", images);
  assert.deepEqual(grid.epochs, [0, 1, 2]);
  assert.deepEqual(
    grid.rows.map((r) => r.prompt),
    prompts,
  );
  assert.equal(grid.cells.get(cellKey(1, 2))!.caption, "1: Mickael Jackson as a ninja");
  assert.equal(grid.cells.get(cellKey(1, 2))!.step, 200);
  assert.equal(grid.cells.size, 9);
});

test("grid: an epoch logged twice keeps the later step; missing epochs fall back to step", () => {
  const grid = buildImageGrid("v", [img({ index: 0, step: 5, epoch: 1 }), img({ index: 0, step: 9, epoch: 1 }), img({ index: 1, step: 42 })]);
  assert.equal(grid.cells.get(cellKey(0, 1))!.step, 9);
  assert.deepEqual(grid.epochs, [1, 42]);
  assert.ok(grid.cells.has(cellKey(1, 42)));
});

test("grids are split by image key", () => {
  const grids = buildImageGrids([img({ index: 0, step: 1, key: "b" }), img({ index: 0, step: 1, key: "a" })]);
  assert.deepEqual(
    grids.map((g) => g.key),
    ["a", "b"],
  );
});

test("nearestEarlierEpoch picks the largest epoch not after the target", () => {
  const epochs = [0, 2, 5, 9];
  assert.equal(nearestEarlierEpoch(epochs, 5), 5);
  assert.equal(nearestEarlierEpoch(epochs, 4), 2);
  assert.equal(nearestEarlierEpoch(epochs, 100), 9);
  assert.equal(nearestEarlierEpoch(epochs, -1), null);
  assert.equal(nearestEarlierEpoch([], 3), null);
  assert.equal(nearestEarlierEpoch([3], 3), 3);
});

test("compare: runs with misaligned epochs each show their nearest earlier image", () => {
  const a = buildImageGrid("validation", [...validation(0, 0), ...validation(2, 20), ...validation(4, 40)]);
  const b = buildImageGrid("validation", [...validation(1, 10), ...validation(3, 30)]);
  assert.deepEqual(unionEpochs([a, b]), [0, 1, 2, 3, 4]);
  assert.equal(imageAtOrBefore(a, 0, 3)!.epoch, 2);
  assert.equal(imageAtOrBefore(b, 0, 3)!.epoch, 3);
  assert.equal(imageAtOrBefore(b, 0, 0), null);
  assert.equal(imageAtOrBefore(b, 2, 4)!.epoch, 3);
  assert.deepEqual(unionPrompts([a, b]), prompts);
});

test("a row missing an epoch falls back within that row only", () => {
  const grid = buildImageGrid("v", [img({ index: 0, step: 0, epoch: 0 }), img({ index: 1, step: 0, epoch: 0 }), img({ index: 1, step: 10, epoch: 1 })]);
  assert.equal(imageAtOrBefore(grid, 0, 1)!.epoch, 0);
  assert.equal(imageAtOrBefore(grid, 1, 1)!.epoch, 1);
});

test("compare matches rows by prompt text: order and membership may differ between runs", () => {
  const a = buildImageGrid("validation", validation(0, 0));
  // Run b lists its prompts in another order and has one that a lacks.
  const bPrompts = ["Bill Gates with a hoodie", "John Oliver with Naruto style", "Lebron James with a hat"];
  const b = buildImageGrid("validation", bPrompts.map((p, i) => img({ index: i, step: 0, epoch: 0, caption: `${i}: ${p}` })));
  assert.deepEqual(unionPrompts([a, b]), [...prompts, "John Oliver with Naruto style"]);
  const billInB = rowOfPrompt(b, "Bill Gates with a hoodie")!;
  assert.equal(imageAtOrBefore(b, billInB.index, 0)!.caption, "0: Bill Gates with a hoodie");
  assert.equal(rowOfPrompt(b, "Mickael Jackson as a ninja"), null, "a prompt the run lacks has no row");
});

test("views open on the validation grid, never on the samples", () => {
  assert.equal(defaultImageKey(["samples", "validation"]), "validation");
  assert.equal(defaultImageKey(["samples", "generated"]), "generated");
  assert.equal(defaultImageKey(["samples"]), "samples");
  assert.equal(defaultImageKey([]), undefined);
});
