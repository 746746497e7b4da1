import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../backend";
import { CliParser, listArg, parseCli, parseOrExit } from "../cli";
import { SafetensorsFile } from "../weights/safetensors";
import type { CaseResult, CaseRunner, GoldenCase, GoldenSet } from "./types";

/**
 * Runs a golden set against this port:
 *   npm run conformance -- DIR [--only NAME[,NAME...]] [--backend NAME]
 * DIR holds cases.json and tensors.safetensors. Each case is judged by
 * ./kinds/<kind>.ts; one line per case, and a non-zero exit on any failure.
 */

const KINDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "kinds");

interface Options {
  dir: string;
  only: Set<string> | null;
  backend?: string;
}

function parseArgs(argv: string[]): Options {
  const parser = new CliParser({ prog: "npm run conformance --", description: "Runs a golden set against this port." });
  parser.add_argument("dir", { metavar: "DIR", help: "A golden set: cases.json and tensors.safetensors." });
  parser.add_argument("--only", { type: listArg(), metavar: "NAME[,NAME...]", help: "Only these cases (names or kinds)." });
  parser.add_argument("--backend", { metavar: "NAME", help: "The TensorFlow.js backend (default: the best available)." });
  const args = parseCli<{ dir: string; only?: string[]; backend?: string }>(parser, argv);
  return { dir: path.resolve(args.dir), only: args.only ? new Set(args.only) : null, backend: args.backend };
}

/** A golden set whose tensors are read on first use; `handedOut` collects them for disposal after each case. */
function openGoldenSet(dir: string, model: string, handedOut: tf.Tensor[]): { set: GoldenSet; close(): void } {
  const file = SafetensorsFile.open(path.join(dir, "tensors.safetensors"));
  const set: GoldenSet = {
    dir,
    modelDir: path.resolve(dir, model),
    tensor(name: string): tf.Tensor {
      const t = file.read(name);
      handedOut.push(t);
      return t;
    },
  };
  return { set, close: () => file.close() };
}

/** The case's runner, or why there is none. */
async function loadRunner(kind: string): Promise<CaseRunner | string> {
  if (!/^[a-z0-9_]+$/.test(kind)) return `invalid kind name "${kind}"`;
  const file = path.join(KINDS_DIR, `${kind}.ts`);
  if (!fs.existsSync(file)) return `unknown kind "${kind}": no ${path.relative(process.cwd(), file)}`;
  const mod = (await import(file)) as { run?: unknown };
  return typeof mod.run === "function" ? (mod.run as CaseRunner) : `${file} does not export run`;
}

function tolerance(c: GoldenCase): string {
  return c.delta_rtol !== undefined ? `delta_rtol ${c.delta_rtol}` : `atol ${c.atol} rtol ${c.rtol}`;
}

async function runCase(c: GoldenCase, set: GoldenSet): Promise<CaseResult> {
  try {
    // Inside the try: a kind file that fails to import is that case's failure, not the run's.
    const runner = await loadRunner(c.kind);
    if (typeof runner === "string") return { worst: Infinity, detail: runner };
    return await runner(c, set);
  } catch (e) {
    // The case line stays one line; the stack goes to stderr.
    console.error((e as Error).stack ?? String(e));
    return { worst: Infinity, detail: `exception: ${(e as Error).message ?? String(e)}` };
  }
}

async function main(): Promise<number> {
  const opts = parseOrExit("conformance", parseArgs, process.argv.slice(2));
  await selectBackend(opts.backend);
  const casesFile = path.join(opts.dir, "cases.json");
  if (!fs.existsSync(casesFile)) throw new Error(`not a golden set: ${casesFile} is missing`);
  const golden = JSON.parse(fs.readFileSync(casesFile, "utf8")) as { model: string; cases: GoldenCase[] };
  const handedOut: tf.Tensor[] = [];
  const { set, close } = openGoldenSet(opts.dir, golden.model, handedOut);
  const cases = golden.cases.filter((c) => !opts.only || opts.only.has(c.name) || opts.only.has(c.kind));
  if (opts.only && cases.length === 0) throw new Error(`--only matched no case of ${opts.dir}/cases.json`);
  let failures = 0;
  for (const c of cases) {
    const before = tf.memory().numTensors;
    const started = performance.now();
    const result = await runCase(c, set);
    tf.dispose(handedOut.splice(0));
    const leaked = tf.memory().numTensors - before;
    const pass = result.worst <= 1;
    if (!pass) failures++;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const extras = [`time=${seconds}s`, leaked > 0 ? `leaked=${leaked} tensors` : "", pass ? "" : (result.detail ?? "")].filter(Boolean);
    console.log(`${c.name} ${c.kind} worst=${result.worst.toPrecision(3)} tol=${tolerance(c)} ${pass ? "PASS" : "FAIL"} ${extras.join(" ")}`);
  }
  close();
  console.log(`${cases.length - failures}/${cases.length} cases passed`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
