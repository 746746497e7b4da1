import { test } from "node:test";
import assert from "node:assert/strict";
import { isErrorLine, lastLogSeq, mergeLogLines } from "@/lib/browser/log-lines";

const line = (seq: number) => ({ seq, stream: "stdout" as const, text: `line ${seq}`, time: "2026-01-01T00:00:00.000Z" });

test("a line read after a later one arrived lands in its place, each line once", () => {
  const rendered = [0, 1, 2].map(line);
  const live = mergeLogLines(rendered, [line(4)]);
  assert.deepEqual(mergeLogLines(live, [line(3), line(4)]).map((l) => l.seq), [0, 1, 2, 3, 4]);
  assert.equal(mergeLogLines(rendered, [line(1)]), rendered, "nothing new: the same array, so React skips a render");
  assert.equal(lastLogSeq(rendered, [line(7)]), 7);
  assert.equal(lastLogSeq([], []), -1);
});

test("progress bars on stderr are not coloured as errors; other stderr lines are", () => {
  assert.equal(isErrorLine({ stream: "stderr", text: "Steps:  12%|██▍                 | 12/100 [00:34<04:10,  2.85s/it, loss=0.0923, lr=1e-05]" }), false);
  assert.equal(isErrorLine({ stream: "stderr", text: "Error: ENOENT: no such file or directory" }), true);
  assert.equal(isErrorLine({ stream: "stdout", text: "done" }), false);
});
