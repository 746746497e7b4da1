/**
 * Every environment variable Inkstone reads, in one data-only table: its zod
 * schema (which holds the default), one line for the README, and the
 * processes that read it. Read them with readEnv() from ./env.ts; the README's
 * list is generated from here (`npm run docs:env`).
 */
import { z } from "zod";
// Relative, not "@/": prisma.config.ts loads this table without tsconfig's paths (and lib/sdk is a package of its own).
import { BACKENDS } from "../../trainer/backend_names";
import { httpUrl, SDK_VARIABLES, type EnvVariable } from "../sdk/env";

export type { EnvProcess, EnvVariable } from "../sdk/env";

/** A whole number within [min, max]. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.coerce.number<string>().int().min(min).max(max);
}

const port = () => integer(0, 65_535);

/** On: 1, true, yes, on; off: 0, false, no, off (any case), as huggingface_hub reads its flags. */
const flag = () =>
  z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(["1", "true", "yes", "on", "0", "false", "no", "off"], { error: "expected 1/0, true/false, yes/no or on/off" }))
    .transform((s) => ["1", "true", "yes", "on"].includes(s))
    .default(false);

const postgresUrl = () => z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgresql:// address" });
const redisUrl = () => z.url({ protocol: /^rediss?$/, error: "expected a redis:// or rediss:// address" });

/** A list of words: a JSON array of strings, or words separated by spaces. */
const command = () =>
  z.string().transform((raw, ctx) => {
    const text = raw.trim();
    if (!text.startsWith("[")) return text.split(/\s+/);
    const parsed = z.array(z.string()).min(1).safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: "custom", message: "expected a JSON array of strings" });
    return z.NEVER;
  });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Comma-separated names, blanks dropped. */
const names = () =>
  z.string().transform((raw) => raw.split(",").map((s) => s.trim()).filter(Boolean));

export const VARIABLES = {
  // The web server (`npm start`).
  PORT: { schema: port().default(3000), readBy: ["server"], description: "The port the web app and socket.io listen on." },
  HOST: { schema: z.string().min(1).default("127.0.0.1"), readBy: ["server"], description: "The address the server listens on (`0.0.0.0` for every interface)." },
  DATABASE_URL: { schema: postgresUrl().optional(), readBy: ["server", "tests"], description: "The PostgreSQL to use. Unset: an embedded PostgreSQL under the data folder (one instance only)." },
  INKSTONE_PG_PORT: { schema: port().default(54329), readBy: ["server"], description: "The embedded PostgreSQL's port (when DATABASE_URL is unset)." },
  INKSTONE_PG_POOL: { schema: integer(1).default(10), readBy: ["server"], description: "Connections in each server's database pool." },
  INKSTONE_DATA_DIR: {
    schema: z.string().default("data"),
    readBy: ["server"],
    description: "The server's data folder: the embedded PostgreSQL, launch logs, and the only place the run form's folders may be.",
  },
  REDIS_URL: { schema: redisUrl().optional(), readBy: ["server"], description: "A Redis that carries live updates between instances (several instances, one database). Unset: one instance." },
  INKSTONE_REDIS_STREAM: { schema: z.string().min(1).default("inkstone:live"), readBy: ["server"], description: "The Redis stream's name; set it when two deployments share one Redis." },
  NEXTAUTH_SECRET: { schema: z.string().min(1).optional(), readBy: ["server"], description: "The key that signs session cookies. Unset: one generated on first start and kept in the database." },
  NEXTAUTH_URL: { schema: httpUrl().optional(), readBy: ["server"], description: "The public address, when set; otherwise each request's own (behind a proxy that sets x-forwarded-host)." },
  INKSTONE_SHARE_RATE: { schema: integer(1).default(120), readBy: ["server"], description: "Share-link requests allowed per minute per client address." },
  INKSTONE_ANONYMOUS_RATE: { schema: integer(1).default(600), readBy: ["server"], description: "API reads with no session, API key or token allowed per minute per client address." },
  INKSTONE_HEARTBEAT_TIMEOUT_MS: { schema: integer(1).default(60_000), readBy: ["server"], description: "A running run silent this long turns crashed." },
  INKSTONE_WORKER_TIMEOUT_MS: { schema: integer(1).default(30_000), readBy: ["server"], description: "A worker silent this long is offline, and its runs crash." },
  INKSTONE_WORKER_POLL_MS: { schema: integer(1).default(2000), readBy: ["server"], description: "How often workers are told to ask for queued launches." },
  INKSTONE_LEASE_MS: { schema: integer(1).default(30_000), readBy: ["server"], description: "How long an instance's claim on a launch lasts without renewal before another instance adopts it." },
  INKSTONE_ELECTION_RETRY_MS: {
    schema: integer(1).default(5000),
    readBy: ["server"],
    description: "How often an instance tries to take over the once-per-cluster duties (housekeeping, heartbeat checks).",
  },

  // Launching trainers: the server's launcher and `npm run worker`.
  INKSTONE_LAUNCH_SLOTS: {
    schema: names().optional(),
    readBy: ["server", "worker"],
    description: "Device slots for launched runs, e.g. `cpu` or `gpu0,gpu1`. Unset: one per GPU nvidia-smi lists, or `cpu`.",
  },
  INKSTONE_TRAIN_COMMAND: {
    schema: command().optional(),
    readBy: ["server", "worker"],
    description: "The command a launch runs instead of the trainer (a JSON array, or words separated by spaces); tests use a fake trainer.",
  },
  INKSTONE_WORKER_TOKEN: { schema: z.string().min(1).optional(), readBy: ["worker"], description: "The worker's token from Settings -> Workers, when `--token` is not given." },

  // Reporting to a server: the SDK, and the trainer through it.
  ...SDK_VARIABLES,

  // The trainer (`npm run train`, `sample`, `make-tiny`).
  INKSTONE_BACKEND: { schema: z.enum(BACKENDS).optional(), readBy: ["trainer"], description: "The TensorFlow.js backend, when `--backend` is not given. Unset: the fastest available." },
  INKSTONE_WEBGPU_POOL_MB: {
    schema: integer(0).optional(),
    readBy: ["trainer"],
    description: "On WebGPU, the MiB of released GPU buffers kept for reuse; beyond it the oldest are freed before a buffer is made, trading allocations for memory (trainer/webgpu_buffer_pool.ts). Unset: no bound, as tfjs.",
  },
  INKSTONE_DEBUG: { schema: flag(), readBy: ["trainer"], description: "Print the stack of a training error, not only its message." },
  LOCAL_RANK: { schema: integer(-1).default(-1), readBy: ["trainer"], description: "The process's rank, as the seed script reads it (overrides `--local_rank` unless -1)." },
  HF_HUB_CACHE: { schema: z.string().optional(), readBy: ["trainer"], description: "The Hugging Face hub cache, as huggingface_hub reads it. Unset: $HF_HOME/hub." },
  HUGGINGFACE_HUB_CACHE: { schema: z.string().optional(), readBy: ["trainer"], description: "The hub cache's older name, read when HF_HUB_CACHE is unset." },
  HF_HOME: { schema: z.string().optional(), readBy: ["trainer"], description: "Hugging Face's folder (cache and token). Unset: $XDG_CACHE_HOME/huggingface." },
  XDG_CACHE_HOME: { schema: z.string().optional(), readBy: ["trainer"], description: "The user's cache folder, under which HF_HOME defaults. Unset: ~/.cache." },
  HF_TOKEN: { schema: z.string().min(1).optional(), readBy: ["trainer"], description: "A Hugging Face access token for gated or private repositories." },
  HF_TOKEN_PATH: { schema: z.string().optional(), readBy: ["trainer"], description: "The file holding the access token when HF_TOKEN is unset. Unset: $HF_HOME/token." },
  HF_HUB_OFFLINE: { schema: flag(), readBy: ["trainer"], description: "Never download: a model or dataset missing from the cache is an error." },

  // The tests and benchmarks.
  INKSTONE_SKIP_BUILD: { schema: flag(), readBy: ["tests"], description: "Reuse the last production build for integration and e2e tests instead of building first." },
  INKSTONE_CHROMIUM: {
    schema: z.string().min(1).default("/usr/bin/chromium"),
    readBy: ["tests"],
    description: "The Chromium the e2e tests drive (installed with apt-get when missing and running as root).",
  },
  INKSTONE_TEST_DATABASE_URL: {
    schema: postgresUrl().optional(),
    readBy: ["tests"],
    description: "The PostgreSQL tests and benchmarks create their throwaway databases in (default: DATABASE_URL's, else an embedded one).",
  },
  INKSTONE_TEST_REDIS_URL: { schema: redisUrl().default("redis://127.0.0.1:6379"), readBy: ["tests"], description: "The Redis the multi-instance tests share." },
  INKSTONE_TEST_VERBOSE: { schema: flag(), readBy: ["tests"], description: "Echo the output of servers and workers that tests start." },
  INKSTONE_UPDATE_DOCS: { schema: flag(), readBy: ["tests"], description: "Write the e2e tests' screenshots into docs/ (`npm run screenshots`) instead of a temporary folder." },
  INKSTONE_SDK_PYTHON: { schema: z.string().min(1).default("python3"), readBy: ["tests"], description: "The Python that runs the SwanLab and MLflow client tests." },
  INKSTONE_SWANLAB_SOURCES: { schema: z.string().optional(), readBy: ["tests"], description: "Colon-separated SwanLab source folders to test the compatibility API against, each in turn." },
} as const satisfies Record<string, EnvVariable>;
