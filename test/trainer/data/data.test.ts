import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { DataLoader } from "../../../trainer/data/dataloader";
import { limitExamples, loadImageCaptionDataset, type ImageCaptionDataset } from "../../../trainer/data/dataset";
import { Rng } from "../../../trainer/data/rng";
import { cropOrigin, resizedSize, transformImage, type Augmentation } from "../../../trainer/data/transforms";
import { writeImageFolderDataset } from "../../../trainer/data/write_dataset";
import { cachedSnapshot, filesToDownload, hubCacheDir, isComplete, resolveRepo } from "../../../trainer/hub";

const here = path.dirname(fileURLToPath(import.meta.url));
const PARQUET_FIXTURE = path.join(here, "fixtures/hub_parquet/train-00000-of-00001.parquet");
const columns = { imageColumn: "image", captionColumn: "text" };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "inkstone-data-"));
}

/** A PNG whose left half is `left` and right half `right`. */
async function halvesPng(width: number, height: number, left: number[], right: number[]): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px.set(x < width / 2 ? left : right, (y * width + x) * 3);
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

test("parquet in the hub layout (data/train-*.parquet, image struct {bytes, path}, text) loads", async () => {
  const root = tempDir();
  fs.mkdirSync(path.join(root, "data"));
  fs.copyFileSync(PARQUET_FIXTURE, path.join(root, "data", "train-00000-of-00001.parquet"));
  fs.writeFileSync(path.join(root, "README.md"), "---\nlicense: cc\n---\n");
  const ds = await loadImageCaptionDataset(root, columns);
  assert.deepEqual(ds.columnNames, ["image", "text"]);
  assert.deepEqual(
    ds.examples.map((e) => e.caption),
    ["fixture image 0", "fixture image 1", "fixture image 2"],
  );
  const sizes = [];
  for (const e of ds.examples) {
    const bytes = await e.loadImage();
    assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8], "JPEG bytes come back as bytes, not a string");
    const meta = await sharp(bytes).metadata();
    sizes.push([meta.width, meta.height]);
  }
  assert.deepEqual(sizes, [[24, 16], [16, 24], [20, 20]]);
  await assert.rejects(loadImageCaptionDataset(root, { ...columns, captionColumn: "caption" }), /--caption_column value 'caption' needs to be one of: image, text/);
});

test("an image folder with metadata.jsonl loads; the train split is picked when splits exist", async () => {
  const root = tempDir();
  const rows = await Promise.all(
    ["a", "b", "c"].map(async (name, i) => ({ fileName: `${name}.png`, png: await halvesPng(8 + i, 8, [255, 0, 0], [0, 0, 255]), text: `caption ${name}` })),
  );
  await writeImageFolderDataset(path.join(root, "train"), rows);
  await writeImageFolderDataset(path.join(root, "test"), rows.slice(0, 1));
  const ds = await loadImageCaptionDataset(root, columns);
  assert.equal(ds.examples.length, 3);
  assert.deepEqual(ds.examples.map((e) => e.caption), ["caption a", "caption b", "caption c"]);
  assert.equal((await sharp(await ds.examples[2].loadImage()).metadata()).width, 10);
  await assert.rejects(loadImageCaptionDataset(root, { ...columns, imageColumn: "picture" }), /--image_column value 'picture'/);
  await assert.rejects(loadImageCaptionDataset(tempDir(), columns), /no training data/);
});

test("resize follows torchvision Resize(int) and crops follow CenterCrop / RandomCrop", () => {
  assert.deepEqual(resizedSize(80, 64, 32), { width: 40, height: 32 });
  assert.deepEqual(resizedSize(64, 80, 32), { width: 32, height: 40 });
  assert.deepEqual(resizedSize(100, 70, 64), { width: 91, height: 64 }); // int(64 * 100 / 70) truncates
  const none: Augmentation = { cropU: 0, cropV: 0, flip: false };
  assert.deepEqual(cropOrigin(41, 32, 32, none, true), { left: 4, top: 0 }); // round(4.5) = 4, like Python
  assert.deepEqual(cropOrigin(43, 32, 32, none, true), { left: 6, top: 0 }); // round(5.5) = 6
  assert.deepEqual(cropOrigin(41, 32, 32, { cropU: 0.999, cropV: 0.5, flip: false }, false), { left: 9, top: 0 });
  assert.deepEqual(cropOrigin(41, 40, 32, { cropU: 0, cropV: 0.999, flip: false }, false), { left: 0, top: 8 });
});

test("preprocessing gives HWC float32 in [-1, 1] at the resolution, and the flip mirrors it", async () => {
  const png = await halvesPng(80, 64, [255, 255, 255], [0, 0, 0]);
  const opts = { resolution: 32, centerCrop: true, randomFlip: true };
  const plain = await transformImage(png, opts, { cropU: 0, cropV: 0, flip: false });
  const flipped = await transformImage(png, opts, { cropU: 0, cropV: 0, flip: true });
  assert.equal(plain.length, 32 * 32 * 3);
  assert.ok(plain.every((v) => v >= -1 && v <= 1), "values in [-1, 1]");
  // Resized to 40x32 and center-cropped at x = 4: white until x = 16, black after.
  const at = (img: Float32Array, x: number, y: number, c: number): number => img[(y * 32 + x) * 3 + c];
  assert.equal(at(plain, 0, 10, 0), 1);
  assert.equal(at(plain, 31, 10, 2), -1);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) assert.equal(at(flipped, x, y, c), at(plain, 31 - x, y, c));
  // The rightmost random crop starts at x = 8 instead of the center's 4: the picture shifts 4 pixels left.
  const right = await transformImage(png, { ...opts, centerCrop: false }, { cropU: 0.9999, cropV: 0, flip: false });
  for (let x = 0; x < 28; x++) assert.equal(at(right, x, 5, 1), at(plain, x + 4, 5, 1), `x = ${x}`);
});

test("the data loader covers every example once per epoch, reshuffles per epoch and is reproducible", async () => {
  const pngs = await Promise.all([0, 1, 2, 3, 4].map((i) => halvesPng(12, 10, [i * 50, 0, 0], [0, 0, 0])));
  const dataset: ImageCaptionDataset = {
    examples: pngs.map((png, i) => ({ loadImage: async () => png, caption: i === 4 ? ["four", "FOUR"] : `c${i}` })),
    columnNames: ["image", "text"],
    description: "test",
  };
  const transform = { resolution: 8, centerCrop: false, randomFlip: true };
  const loader = new DataLoader(dataset, transform, 2, 42);
  assert.equal(loader.length, 3);
  const run = async (l: DataLoader, epoch: number): Promise<string[]> => {
    const captions: string[] = [];
    for await (const batch of l.epoch(epoch)) {
      assert.equal(batch.pixelValues.length, batch.size * 8 * 8 * 3);
      captions.push(...batch.captions);
    }
    return captions;
  };
  const e0 = await run(loader, 0);
  assert.equal(e0.length, 5);
  assert.deepEqual(e0.map((c) => c.toLowerCase()).sort(), ["c0", "c1", "c2", "c3", "four"]);
  assert.deepEqual(await run(new DataLoader(dataset, transform, 2, 42), 0), e0);
  const orders = await Promise.all([1, 2, 3].map((e) => run(loader, e)));
  assert.ok(orders.some((o) => o.join() !== e0.join()), "epochs are reshuffled");
  // --max_train_samples keeps a seeded random subset.
  const limited = limitExamples(dataset, 3, (n) => new Rng(1).permutation(n));
  assert.equal(limited.examples.length, 3);
  assert.equal(new Set(limited.examples).size, 3);
});

test("the random generator is seeded and its state can be saved and restored", () => {
  const a = new Rng(42);
  a.normal(7);
  const state = a.getState();
  const next = a.normal(5);
  assert.deepEqual(Rng.fromState(state).normal(5), next);
  assert.notDeepEqual(new Rng(1).normal(5), new Rng(2).normal(5));
  const samples = new Rng(3).normal(20000);
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  const variance = samples.reduce((s, v) => s + (v - mean) ** 2, 0) / samples.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `${mean} ${variance}`);
  assert.deepEqual([...new Rng(5).permutation(6)].sort(), [0, 1, 2, 3, 4, 5]);
});

test("hub ids resolve from a hand-made cache in the huggingface_hub layout, without the network", async () => {
  const cache = tempDir();
  const repo = path.join(cache, "datasets--lambdalabs--naruto-blip-captions");
  const commit = "0123456789abcdef0123456789abcdef01234567";
  fs.mkdirSync(path.join(repo, "refs"), { recursive: true });
  fs.writeFileSync(path.join(repo, "refs", "main"), commit);
  const snapshot = path.join(repo, "snapshots", commit);
  fs.mkdirSync(path.join(snapshot, "data"), { recursive: true });
  fs.mkdirSync(path.join(repo, "blobs"));
  fs.copyFileSync(PARQUET_FIXTURE, path.join(repo, "blobs", "abc"));
  fs.symlinkSync(path.join(repo, "blobs", "abc"), path.join(snapshot, "data", "train-00000-of-00001.parquet"));

  const env = { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" };
  assert.equal(hubCacheDir(null, env), cache);
  assert.equal(hubCacheDir(null, { HF_HOME: "/x/hf" }), "/x/hf/hub");
  assert.equal(cachedSnapshot("lambdalabs/naruto-blip-captions", "dataset", { env }), snapshot);
  assert.equal(cachedSnapshot("lambdalabs/naruto-blip-captions", "dataset", { env, revision: commit }), snapshot);
  assert.equal(cachedSnapshot("lambdalabs/naruto-blip-captions", "dataset", { env, revision: "v2" }), null);
  assert.ok(isComplete(snapshot, "dataset"), "the cached snapshot holds parquet files");
  const resolved = await resolveRepo("lambdalabs/naruto-blip-captions", "dataset", { env });
  assert.equal(resolved, snapshot);
  assert.equal((await loadImageCaptionDataset(resolved, columns)).examples.length, 3);

  // A model the cache does not hold, offline: one error naming the local-folder alternative.
  await assert.rejects(
    resolveRepo("runwayml/stable-diffusion-v1-5", "model", { env }),
    /--pretrained_model_name_or_path: runwayml\/stable-diffusion-v1-5 is not in the hub cache .*--pretrained_model_name_or_path=\/path\/to\/stable-diffusion-v1-5/,
  );
  await assert.rejects(resolveRepo("./missing-folder", "dataset", { env }), /--dataset_name: folder .\/missing-folder does not exist/);
});

test("only the pipeline files the trainer needs are downloaded (one weight set per component)", () => {
  const repo = [
    "model_index.json",
    "v1-5-pruned.ckpt",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "unet/diffusion_pytorch_model.fp16.safetensors",
    "unet/diffusion_pytorch_model.non_ema.safetensors",
    "unet/diffusion_pytorch_model.bin",
    "text_encoder/config.json",
    "text_encoder/model.safetensors",
    "text_encoder/model.fp16.safetensors",
    "tokenizer/vocab.json",
    "tokenizer/merges.txt",
    "scheduler/scheduler_config.json",
  ];
  assert.deepEqual(filesToDownload(repo, "model"), [
    "model_index.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "text_encoder/config.json",
    "text_encoder/model.safetensors",
    "tokenizer/vocab.json",
    "tokenizer/merges.txt",
    "scheduler/scheduler_config.json",
  ]);
  const fp16 = filesToDownload(repo, "model", "fp16");
  assert.ok(fp16.includes("unet/diffusion_pytorch_model.fp16.safetensors") && !fp16.includes("unet/diffusion_pytorch_model.safetensors"), fp16.join());
});

/** A stand-in for huggingface.co serving one model repository at one commit (the endpoints @huggingface/hub calls). */
function fakeHub(name: string, commit: string, files: Record<string, string>): { fetch: typeof fetch; requested: string[] } {
  const requested: string[] = [];
  const oid = (p: string): string => Buffer.from(p).toString("hex").padEnd(40, "0").slice(0, 40);
  const json = (body: unknown): Response => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const p = decodeURIComponent(url.pathname);
    if (p === `/api/models/${name}/revision/main`) return json({ _id: "x", id: name, sha: commit, private: false });
    if (p === `/api/models/${name}/tree/${commit}`) {
      return json(Object.entries(files).map(([path, body]) => ({ type: "file", path, size: body.length, oid: oid(path) })));
    }
    if (p === `/api/models/${name}/paths-info/${commit}`) {
      const { paths } = JSON.parse(String(init?.body ?? "{}")) as { paths: string[] };
      return json(paths.map((path) => ({ type: "file", path, size: files[path].length, oid: oid(path), lastCommit: { id: commit, date: "2024-01-01", title: "t" } })));
    }
    const prefix = `/${name}/resolve/${commit}/`;
    if (p.startsWith(prefix)) {
      const body = files[p.slice(prefix.length)];
      requested.push(p.slice(prefix.length));
      return new Response(body, { status: 200, headers: { etag: `"${oid(p)}"`, "content-range": `bytes 0-${body.length - 1}/${body.length}`, "content-length": String(body.length) } });
    }
    return new Response("not found", { status: 404 });
  };
  return { fetch: fake as typeof fetch, requested };
}

test("a hub model downloads into the Python cache layout (only the needed files), then resolves offline", async () => {
  const cache = tempDir();
  const commit = "89abcdef0123456789abcdef0123456789abcdef";
  const files: Record<string, string> = {
    "model_index.json": "{}",
    "v1-5-pruned.ckpt": "huge",
    "scheduler/scheduler_config.json": "{}",
    "tokenizer/vocab.json": "{}",
    "tokenizer/merges.txt": "#",
  };
  for (const c of ["unet", "vae"]) {
    files[`${c}/config.json`] = "{}";
    files[`${c}/diffusion_pytorch_model.safetensors`] = `${c} weights`;
    files[`${c}/diffusion_pytorch_model.fp16.safetensors`] = `${c} fp16 weights`;
  }
  files["text_encoder/config.json"] = "{}";
  files["text_encoder/model.safetensors"] = "text weights";
  const hub = fakeHub("org/tiny-sd", commit, files);
  const env = { HF_HUB_CACHE: cache };
  const dir = await resolveRepo("org/tiny-sd", "model", { env, fetch: hub.fetch, hubUrl: "https://hub.test" });
  const repo = path.join(cache, "models--org--tiny-sd");
  assert.equal(dir, path.join(repo, "snapshots", commit));
  assert.equal(fs.readFileSync(path.join(repo, "refs", "main"), "utf8"), commit);
  assert.equal(fs.readFileSync(path.join(dir, "unet", "diffusion_pytorch_model.safetensors"), "utf8"), "unet weights");
  assert.ok(fs.lstatSync(path.join(dir, "unet", "diffusion_pytorch_model.safetensors")).isSymbolicLink(), "snapshot files link to blobs");
  assert.equal(fs.existsSync(path.join(dir, "v1-5-pruned.ckpt")), false);
  assert.ok(!hub.requested.some((f) => f.includes("fp16") || f.endsWith(".ckpt")), hub.requested.join());

  // A second run finds the complete snapshot without asking the hub.
  const offline = (async () => {
    throw new TypeError("fetch failed");
  }) as typeof fetch;
  assert.equal(await resolveRepo("org/tiny-sd", "model", { env, fetch: offline, hubUrl: "https://hub.test" }), dir);
  await assert.rejects(
    resolveRepo("org/other", "model", { env, fetch: offline, hubUrl: "https://hub.test" }),
    /could not download org\/other from huggingface.co: fetch failed.*--pretrained_model_name_or_path=\/path\/to\/stable-diffusion-v1-5/,
  );
});
