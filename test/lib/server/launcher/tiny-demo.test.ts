/**
 * Which launches need the tiny demo generated: those whose model or dataset
 * flag names data/tiny/{model,dataset} and finds it missing. (The generation
 * itself runs in test/app/runs/new/training.test.ts on a fresh clone.)
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { dataDir } from "@/lib/server/data-dir";
import { ensureTinyDemo, isTinyDemoPath, missingTinyDemoParts } from "@/lib/server/launcher/tiny-demo";
import { parseRunForm, PRESETS } from "@/lib/server/launcher/run-form";
import { TINY_DEMO_VERSION, TINY_DEMO_VERSION_FILE } from "../../../../trainer/tiny/version";

/** What make-tiny leaves beside the model and dataset: the stamp of the make-tiny that wrote them. */
const stamp = (cwd: string, version = TINY_DEMO_VERSION) => fs.writeFileSync(path.join(cwd, "data/tiny", TINY_DEMO_VERSION_FILE), `${version}\n`);
const argv = (model: string, dataset: string) => ["npm", "run", "train", "--", `--pretrained_model_name_or_path=${model}`, `--dataset_name=${dataset}`, "--output_dir=./data/tiny/model"];

test("the tiny demo's folders are recognised however they are spelled", () => {
  const cwd = "/srv/inkstone";
  for (const p of ["./data/tiny/model", "data/tiny/dataset", "/srv/inkstone/data/tiny/model/", "data/../data/tiny/dataset"]) assert.ok(isTinyDemoPath(p, cwd), p);
  for (const p of ["./data/tiny", "./data/tiny/model/unet", "runwayml/stable-diffusion-v1-5", "/elsewhere/data/tiny/model"]) assert.ok(!isTinyDemoPath(p, cwd), p);
});

test("only missing tiny demo folders named by the model and dataset flags need generating", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "tiny-demo-"));
  try {
    assert.deepEqual(missingTinyDemoParts(argv("./data/tiny/model", "./data/tiny/dataset"), cwd), [path.join(cwd, "data/tiny/model"), path.join(cwd, "data/tiny/dataset")]);
    assert.deepEqual(missingTinyDemoParts(argv("runwayml/stable-diffusion-v1-5", "lambdalabs/naruto-blip-captions"), cwd), [], "hub ids are the trainer's business");
    fs.mkdirSync(path.join(cwd, "data/tiny/model"), { recursive: true });
    stamp(cwd);
    assert.deepEqual(missingTinyDemoParts(argv("./data/tiny/model", "./data/tiny/dataset"), cwd), [path.join(cwd, "data/tiny/dataset")]);
    fs.mkdirSync(path.join(cwd, "data/tiny/dataset"), { recursive: true });
    assert.deepEqual(missingTinyDemoParts(argv("./data/tiny/model", "./data/tiny/dataset"), cwd), []);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("a demo made by another make-tiny (an older stamp, or none) is generated again, both folders", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "tiny-demo-"));
  try {
    for (const part of ["model", "dataset"]) fs.mkdirSync(path.join(cwd, "data/tiny", part), { recursive: true });
    const both = [path.join(cwd, "data/tiny/model"), path.join(cwd, "data/tiny/dataset")];
    assert.deepEqual(missingTinyDemoParts(argv("./data/tiny/model", "./data/tiny/dataset"), cwd), both, "no stamp: made before stamps");
    stamp(cwd, `${TINY_DEMO_VERSION}-old`);
    assert.deepEqual(missingTinyDemoParts(argv("./data/tiny/model", "./data/tiny/dataset"), cwd), both, "another make-tiny's stamp");
    stamp(cwd);
    assert.deepEqual(missingTinyDemoParts(argv("./data/tiny/model", "./data/tiny/dataset"), cwd), []);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("a launch whose tiny demo exists starts without generating anything", async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "tiny-demo-"));
  const log = path.join(cwd, "out.log");
  const fd = fs.openSync(log, "a");
  try {
    for (const part of ["model", "dataset"]) fs.mkdirSync(path.join(cwd, "data/tiny", part), { recursive: true });
    stamp(cwd);
    await ensureTinyDemo(argv("./data/tiny/model", "./data/tiny/dataset"), cwd, fd);
    assert.equal(fs.readFileSync(log, "utf8"), "");
    assert.deepEqual(fs.readdirSync(path.join(cwd, "data")), ["tiny"], "no scratch folder left");
  } finally {
    fs.closeSync(fd);
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test("the form accepts the tiny preset before its folders exist, and leaves the output folder to the run", () => {
  const home = process.cwd();
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "tiny-demo-"));
  process.chdir(fresh); // a fresh clone: no data/tiny
  try {
    const form = parseRunForm({ ...PRESETS.tiny.values, project: "demo", tags: "" });
    assert.equal(form.pretrained_model_name_or_path, "./data/tiny/model");
    assert.equal(form.output_dir, undefined, "an empty output folder means one of the run's own");
    assert.equal(parseRunForm({ ...PRESETS.tiny.values, project: "demo", tags: "", output_dir: " mine " }).output_dir, path.join(dataDir(), "outputs", "mine"), "a relative output folder lies under the data folder's outputs/");
    assert.throws(() => parseRunForm({ ...PRESETS.tiny.values, project: "demo", tags: "", dataset_name: "./data/tinier/dataset" }), /no folder/);
  } finally {
    process.chdir(home);
    fs.rmSync(fresh, { recursive: true, force: true });
  }
});
