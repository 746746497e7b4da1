/**
 * Resolves --pretrained_model_name_or_path and --dataset_name to a local folder.
 * A path that exists is used as is. Anything else is a Hugging Face hub id: a
 * complete snapshot already in the hub cache (the layout huggingface_hub uses,
 * so files downloaded from Python are reused) is used without the network;
 * otherwise the needed files are downloaded into that same cache.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findDataFiles } from "./data/dataset_files";
import { datasetInfo, downloadFileToCacheDir, listFiles, modelInfo } from "@huggingface/hub";
import { readEnv, type Env } from "@/lib/config/env";

export type RepoKind = "model" | "dataset";

export interface HubOptions {
  revision?: string | null;
  /** --cache_dir: overrides the environment's hub cache. */
  cacheDir?: string | null;
  /** --variant: weight files named `*.{variant}.safetensors` are preferred. */
  variant?: string | null;
  env?: Env;
  /** The hub's address and fetch function (a stand-in hub in tests). */
  hubUrl?: string;
  fetch?: typeof fetch;
}

/** The hub cache folder, resolved the way huggingface_hub resolves it. */
export function hubCacheDir(cacheDir?: string | null, env: Env = process.env): string {
  if (cacheDir) return cacheDir;
  return readEnv("HF_HUB_CACHE", env) ?? readEnv("HUGGINGFACE_HUB_CACHE", env) ?? path.join(hfHome(env), "hub");
}

/** Hugging Face's folder, resolved the way huggingface_hub resolves it. */
function hfHome(env: Env): string {
  return readEnv("HF_HOME", env) ?? path.join(readEnv("XDG_CACHE_HOME", env) ?? path.join(os.homedir(), ".cache"), "huggingface");
}

/** `models--org--name` / `datasets--org--name`, as in the Python cache. */
export function repoFolderName(repoId: string, kind: RepoKind): string {
  return [`${kind}s`, ...repoId.split("/")].join("--");
}

const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** The snapshot folder of a cached revision, or null when the cache does not know it. */
export function cachedSnapshot(repoId: string, kind: RepoKind, opts: HubOptions = {}): string | null {
  const repoDir = path.join(hubCacheDir(opts.cacheDir, opts.env), repoFolderName(repoId, kind));
  const revision = opts.revision ?? "main";
  let commit = revision;
  if (!COMMIT_HASH.test(revision)) {
    const ref = path.join(repoDir, "refs", revision);
    if (!fs.existsSync(ref)) return null;
    commit = fs.readFileSync(ref, "utf8").trim();
  }
  const snapshot = path.join(repoDir, "snapshots", commit);
  return fs.existsSync(snapshot) ? snapshot : null;
}

/** Pipeline components the trainer loads: a snapshot without these is incomplete. */
const TRAINED_COMPONENTS = ["unet", "vae", "text_encoder"];
const WEIGHTS_FILE = /^(diffusion_pytorch_model|model)(\.([\w-]+))?(-\d{5}-of-\d{5})?\.safetensors(\.index\.json)?$/;

function hasWeights(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => WEIGHTS_FILE.test(f));
}

/** Whether a folder holds everything the trainer reads from a pipeline or a dataset. */
export function isComplete(dir: string, kind: RepoKind): boolean {
  if (kind === "model") {
    return (
      fs.existsSync(path.join(dir, "model_index.json")) &&
      fs.existsSync(path.join(dir, "scheduler", "scheduler_config.json")) &&
      fs.existsSync(path.join(dir, "tokenizer", "vocab.json")) &&
      TRAINED_COMPONENTS.every((c) => fs.existsSync(path.join(dir, c, "config.json")) && hasWeights(path.join(dir, c)))
    );
  }
  return findDataFiles(dir).length > 0;
}

/**
 * Which repository files a training run needs: for a pipeline, the configs and
 * tokenizer files of every component and one set of weight files each (the
 * variant when asked and present, else the plain ones) — never the root .ckpt
 * files; for a dataset, its parquet files and metadata.
 */
export function filesToDownload(files: string[], kind: RepoKind, variant?: string | null): string[] {
  if (kind === "dataset") {
    return files.filter((f) => /\.(parquet|jsonl|json|md)$/.test(f) || /\.(png|jpe?g|webp)$/i.test(f));
  }
  const wanted: string[] = files.filter((f) => f === "model_index.json");
  const byComponent = new Map<string, string[]>();
  for (const f of files) {
    const parts = f.split("/");
    if (parts.length !== 2) continue;
    byComponent.set(parts[0], [...(byComponent.get(parts[0]) ?? []), parts[1]]);
  }
  for (const [component, names] of byComponent) {
    const weights = names.filter((n) => WEIGHTS_FILE.test(n));
    const variantOf = (n: string): string | undefined => WEIGHTS_FILE.exec(n)?.[3];
    const ofVariant = weights.filter((n) => variant && variantOf(n) === variant);
    const plain = weights.filter((n) => variantOf(n) === undefined);
    const chosen = ofVariant.length ? ofVariant : plain;
    for (const n of names) {
      const isConfig = /\.(json|txt)$/.test(n) && !WEIGHTS_FILE.test(n);
      if (isConfig || chosen.includes(n)) wanted.push(`${component}/${n}`);
    }
  }
  return wanted;
}

function accessToken(env: Env): string | undefined {
  const token = readEnv("HF_TOKEN", env);
  if (token) return token;
  const tokenFile = readEnv("HF_TOKEN_PATH", env) ?? path.join(hfHome(env), "token");
  return fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, "utf8").trim() || undefined : undefined;
}

function localAlternative(kind: RepoKind): string {
  return kind === "model"
    ? "pass a local pipeline folder in diffusers layout instead: --pretrained_model_name_or_path=/path/to/stable-diffusion-v1-5"
    : "pass a local dataset folder instead: --dataset_name=/path/to/naruto-blip-captions (parquet layout) " +
        "or --train_data_dir=/path/to/images (with metadata.jsonl)";
}

/** Downloads the needed files of a hub repository into the hub cache; returns the snapshot folder. */
async function download(repoId: string, kind: RepoKind, opts: HubOptions): Promise<string> {
  const env = opts.env ?? process.env;
  const cacheDir = hubCacheDir(opts.cacheDir, env);
  const revision = opts.revision ?? "main";
  const token = accessToken(env);
  const credentials = { ...(token ? { accessToken: token } : {}), hubUrl: opts.hubUrl, fetch: opts.fetch };
  const info = (kind === "model"
    ? await modelInfo({ name: repoId, revision, additionalFields: ["sha"], ...credentials })
    : await datasetInfo({ name: repoId, revision, additionalFields: ["sha"], ...credentials })) as { sha?: string };
  const commit = info.sha;
  if (!commit) throw new Error(`the hub did not report a commit for ${repoId}@${revision}`);
  const repo = { type: kind, name: repoId } as const;
  const repoDir = path.join(cacheDir, repoFolderName(repoId, kind));
  if (revision !== commit) {
    fs.mkdirSync(path.join(repoDir, "refs", path.dirname(revision)), { recursive: true });
    fs.writeFileSync(path.join(repoDir, "refs", revision), commit);
  }
  const all: string[] = [];
  for await (const entry of listFiles({ repo, revision: commit, recursive: true, ...credentials })) {
    if (entry.type === "file") all.push(entry.path);
  }
  for (const file of filesToDownload(all, kind, opts.variant)) {
    console.log(`downloading ${repoId}/${file}`);
    await downloadFileToCacheDir({ repo, path: file, revision: commit, cacheDir, ...credentials });
  }
  return path.join(repoDir, "snapshots", commit);
}

/** A local folder for a pipeline or dataset given as a path or a hub id. */
export async function resolveRepo(nameOrPath: string, kind: RepoKind, opts: HubOptions = {}): Promise<string> {
  if (fs.existsSync(nameOrPath)) return path.resolve(nameOrPath);
  const isHubId = /^[\w.-]+(\/[\w.-]+)?$/.test(nameOrPath) && !nameOrPath.startsWith(".");
  const flag = kind === "model" ? "--pretrained_model_name_or_path" : "--dataset_name";
  if (!isHubId) throw new Error(`${flag}: folder ${nameOrPath} does not exist`);

  const env = opts.env ?? process.env;
  const cached = cachedSnapshot(nameOrPath, kind, opts);
  if (cached && isComplete(cached, kind)) return cached;
  if (readEnv("HF_HUB_OFFLINE", env)) {
    throw new Error(
      `${flag}: ${nameOrPath} is not in the hub cache ${hubCacheDir(opts.cacheDir, env)} and HF_HUB_OFFLINE is set; ` +
        localAlternative(kind),
    );
  }
  try {
    return await download(nameOrPath, kind, opts);
  } catch (e) {
    const moved =
      nameOrPath === "runwayml/stable-diffusion-v1-5"
        ? " (note: that repository was removed from the hub; stable-diffusion-v1-5/stable-diffusion-v1-5 is its copy)"
        : "";
    throw new Error(
      `${flag}: could not download ${nameOrPath} from huggingface.co${moved}: ${(e as Error).message}. ` +
        `It is not in the hub cache ${hubCacheDir(opts.cacheDir, env)} either; ${localAlternative(kind)}`,
    );
  }
}
