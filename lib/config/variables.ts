/**
 * Every environment variable Inkstone reads, in one data-only table: its zod
 * schema (which holds the default), one line for the README, and the
 * processes that read it. Read them with readEnv() from ./env.ts; the README's
 * list is generated from here (`npm run docs:env`).
 */
import { z } from "zod";
// Relative, not "@/": prisma.config.ts loads this table without tsconfig's paths.
import { BACKENDS } from "../../trainer/backend_names";

/** The processes that read variables: `npm start`, `npm run worker`, the trainer's CLIs, a script using the SDK, the test runner. */
export const ENV_PROCESSES = ["server", "worker", "trainer", "sdk", "tests"] as const;
export type EnvProcess = (typeof ENV_PROCESSES)[number];

export interface EnvVariable {
  /** Parses the raw string; an unset (or empty) variable parses `undefined`, so the default lives here. */
  schema: z.ZodType;
  description: string;
  readBy: readonly EnvProcess[];
}

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

const httpUrl = () => z.url({ protocol: /^https?$/, error: "expected an http(s) address" });

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
  PORT: {
    schema: port().default(3000),
    description: "The port the web app and socket.io listen on.",
    readBy: ["server"],
  },
  HOST: {
    schema: z.string().min(1).default("127.0.0.1"),
    description: "The address the server listens on (`0.0.0.0` for every interface).",
    readBy: ["server"],
  },
  DATABASE_URL: {
    schema: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgresql:// address" }).optional(),
    description: "The PostgreSQL to use. Unset: an embedded PostgreSQL under the data folder (one instance only).",
    readBy: ["server", "tests"],
  },
  INKSTONE_PG_PORT: {
    schema: port().default(54329),
    description: "The embedded PostgreSQL's port (when DATABASE_URL is unset).",
    readBy: ["server"],
  },
  INKSTONE_PG_POOL: {
    schema: integer(1).default(10),
    description: "Connections in each server's database pool.",
    readBy: ["server"],
  },
  INKSTONE_DATA_DIR: {
    schema: z.string().default("data"),
    description: "The server's data folder: the embedded PostgreSQL, launch logs, and the only place the run form's folders may be.",
    readBy: ["server"],
  },
  REDIS_URL: {
    schema: z.url({ protocol: /^rediss?$/, error: "expected a redis:// or rediss:// address" }).optional(),
    description: "A Redis that carries live updates between instances (several instances, one database). Unset: one instance.",
    readBy: ["server"],
  },
  INKSTONE_REDIS_STREAM: {
    schema: z.string().min(1).default("inkstone:live"),
    description: "The Redis stream's name; set it when two deployments share one Redis.",
    readBy: ["server"],
  },
  NEXTAUTH_SECRET: {
    schema: z.string().min(1).optional(),
    description: "The key that signs session cookies. Unset: one generated on first start and kept in the database.",
    readBy: ["server"],
  },
  NEXTAUTH_URL: {
    schema: httpUrl().optional(),
    description: "The public address, when set; otherwise each request's own (behind a proxy that sets x-forwarded-host).",
    readBy: ["server"],
  },
  INKSTONE_SHARE_RATE: {
    schema: integer(1).default(120),
    description: "Share-link requests allowed per minute per client address.",
    readBy: ["server"],
  },
  INKSTONE_ANONYMOUS_RATE: {
    schema: integer(1).default(600),
    description: "API reads with no session, API key or token allowed per minute per client address.",
    readBy: ["server"],
  },
  INKSTONE_HEARTBEAT_TIMEOUT_MS: {
    schema: integer(1).default(60_000),
    description: "A running run silent this long turns crashed.",
    readBy: ["server"],
  },
  INKSTONE_WORKER_TIMEOUT_MS: {
    schema: integer(1).default(30_000),
    description: "A worker silent this long is offline, and its runs crash.",
    readBy: ["server"],
  },
  INKSTONE_WORKER_POLL_MS: {
    schema: integer(1).default(2000),
    description: "How often workers are told to ask for queued launches.",
    readBy: ["server"],
  },
  INKSTONE_LEASE_MS: {
    schema: integer(1).default(30_000),
    description: "How long an instance's claim on a launch lasts without renewal before another instance adopts it.",
    readBy: ["server"],
  },
  INKSTONE_ELECTION_RETRY_MS: {
    schema: integer(1).default(5000),
    description: "How often an instance tries to take over the once-per-cluster duties (housekeeping, heartbeat checks).",
    readBy: ["server"],
  },

  // Launching trainers: the server's launcher and `npm run worker`.
  INKSTONE_LAUNCH_SLOTS: {
    schema: names().optional(),
    description: "Device slots for launched runs, e.g. `cpu` or `gpu0,gpu1`. Unset: one per GPU nvidia-smi lists, or `cpu`.",
    readBy: ["server", "worker"],
  },
  INKSTONE_TRAIN_COMMAND: {
    schema: command().optional(),
    description: "The command a launch runs instead of the trainer (a JSON array, or words separated by spaces); tests use a fake trainer.",
    readBy: ["server", "worker"],
  },
  INKSTONE_WORKER_TOKEN: {
    schema: z.string().min(1).optional(),
    description: "The worker's token from Settings -> Workers, when `--token` is not given.",
    readBy: ["worker"],
  },

  // Reporting to a server: the SDK, and the trainer through it.
  INKSTONE_URL: {
    schema: httpUrl().optional(),
    description:
      "The server scripts report to (SDK default http://127.0.0.1:3000); the server gives launched runs its own (default http://127.0.0.1:$PORT).",
    readBy: ["server", "sdk", "trainer"],
  },
  INKSTONE_API_KEY: {
    schema: z.string().min(1).optional(),
    description: "An API key from Settings that scripts create runs with.",
    readBy: ["sdk"],
  },
  INKSTONE_RUN_ID: {
    schema: z.string().min(1).optional(),
    description: "Set by the server or a worker for a run it launched: the SDK reports to that run instead of creating one.",
    readBy: ["sdk", "trainer"],
  },
  INKSTONE_RUN_TOKEN: {
    schema: z.string().min(1).optional(),
    description: "Set with INKSTONE_RUN_ID: the launched run's token.",
    readBy: ["sdk"],
  },

  // The trainer (`npm run train`, `sample`, `make-tiny`).
  INKSTONE_BACKEND: {
    schema: z.enum(BACKENDS).optional(),
    description: "The TensorFlow.js backend, when `--backend` is not given. Unset: the fastest available.",
    readBy: ["trainer"],
  },
  INKSTONE_DEBUG: {
    schema: flag(),
    description: "Print the stack of a training error, not only its message.",
    readBy: ["trainer"],
  },
  LOCAL_RANK: {
    schema: integer(-1).default(-1),
    description: "The process's rank, as the seed script reads it (overrides `--local_rank` unless -1).",
    readBy: ["trainer"],
  },
  HF_HUB_CACHE: {
    schema: z.string().optional(),
    description: "The Hugging Face hub cache, as huggingface_hub reads it. Unset: $HF_HOME/hub.",
    readBy: ["trainer"],
  },
  HUGGINGFACE_HUB_CACHE: {
    schema: z.string().optional(),
    description: "The hub cache's older name, read when HF_HUB_CACHE is unset.",
    readBy: ["trainer"],
  },
  HF_HOME: {
    schema: z.string().optional(),
    description: "Hugging Face's folder (cache and token). Unset: $XDG_CACHE_HOME/huggingface.",
    readBy: ["trainer"],
  },
  XDG_CACHE_HOME: {
    schema: z.string().optional(),
    description: "The user's cache folder, under which HF_HOME defaults. Unset: ~/.cache.",
    readBy: ["trainer"],
  },
  HF_TOKEN: {
    schema: z.string().min(1).optional(),
    description: "A Hugging Face access token for gated or private repositories.",
    readBy: ["trainer"],
  },
  HF_TOKEN_PATH: {
    schema: z.string().optional(),
    description: "The file holding the access token when HF_TOKEN is unset. Unset: $HF_HOME/token.",
    readBy: ["trainer"],
  },
  HF_HUB_OFFLINE: {
    schema: flag(),
    description: "Never download: a model or dataset missing from the cache is an error.",
    readBy: ["trainer"],
  },

  // The tests and benchmarks.
  INKSTONE_SKIP_BUILD: {
    schema: flag(),
    description: "Reuse the last production build for integration and e2e tests instead of building first.",
    readBy: ["tests"],
  },
  INKSTONE_CHROMIUM: {
    schema: z.string().min(1).default("/usr/bin/chromium"),
    description: "The Chromium the e2e tests drive (installed with apt-get when missing and running as root).",
    readBy: ["tests"],
  },
  INKSTONE_TEST_DATABASE_URL: {
    schema: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgresql:// address" }).optional(),
    description: "The PostgreSQL tests and benchmarks create their throwaway databases in (default: DATABASE_URL's, else an embedded one).",
    readBy: ["tests"],
  },
  INKSTONE_TEST_REDIS_URL: {
    schema: z.url({ protocol: /^rediss?$/, error: "expected a redis:// or rediss:// address" }).default("redis://127.0.0.1:6379"),
    description: "The Redis the multi-instance tests share.",
    readBy: ["tests"],
  },
  INKSTONE_TEST_VERBOSE: {
    schema: flag(),
    description: "Echo the output of servers and workers that tests start.",
    readBy: ["tests"],
  },
  INKSTONE_UPDATE_DOCS: {
    schema: flag(),
    description: "Write the e2e tests' screenshots into docs/ (`npm run screenshots`) instead of a temporary folder.",
    readBy: ["tests"],
  },
  INKSTONE_SDK_PYTHON: {
    schema: z.string().min(1).default("python3"),
    description: "The Python that runs the SwanLab and MLflow client tests.",
    readBy: ["tests"],
  },
  INKSTONE_SWANLAB_SOURCES: {
    schema: z.string().optional(),
    description: "Colon-separated SwanLab source folders to test the compatibility API against, each in turn.",
    readBy: ["tests"],
  },
} as const satisfies Record<string, EnvVariable>;
