import { test } from "node:test";
import assert from "node:assert/strict";
import { compareCandidates } from "@/lib/browser/compare-candidates";

const run = (id: string, project: string) => ({ id, name: `run ${id}`, project });

test("the same project's runs come first, then others; never the run itself nor a run twice", () => {
  const current = { id: "a", project: "sd15" };
  const same = [run("a", "sd15"), run("b", "sd15"), run("c", "sd15")];
  const recent = [run("x", "other"), run("b", "sd15"), run("a", "sd15"), run("y", "other")];
  assert.deepEqual(
    compareCandidates(current, same, recent, 10).map((r) => r.id),
    ["b", "c", "x", "y"],
  );
  assert.deepEqual(
    compareCandidates(current, same, recent, 3).map((r) => r.id),
    ["b", "c", "x"],
  );
});

test("a run alone in its project still gets the other projects' runs", () => {
  assert.deepEqual(
    compareCandidates({ id: "a", project: "solo" }, [run("a", "solo")], [run("a", "solo"), run("z", "other")], 10).map((r) => r.id),
    ["z"],
  );
});
