import { test } from "node:test";
import assert from "node:assert/strict";
import { lastLogSeq, mergeLogLines } from "@/lib/dashboard/log-lines";

const line = (seq: number) => ({ seq, stream: "stdout", text: `line ${seq}`, time: "2026-01-01T00:00:00.000Z" });

test("a line read after a later one arrived lands in its place, each line once", () => {
  const rendered = [0, 1, 2].map(line);
  const live = mergeLogLines(rendered, [line(4)]);
  assert.deepEqual(mergeLogLines(live, [line(3), line(4)]).map((l) => l.seq), [0, 1, 2, 3, 4]);
  assert.equal(mergeLogLines(rendered, [line(1)]), rendered, "nothing new: the same array, so React skips a render");
  assert.equal(lastLogSeq(rendered, [line(7)]), 7);
  assert.equal(lastLogSeq([], []), -1);
});
