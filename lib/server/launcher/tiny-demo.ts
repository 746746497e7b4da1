/**
 * The tiny demo's model and dataset (data/tiny, what the "Tiny demo" preset
 * trains on) do not exist on a fresh clone: the launcher generates them with
 * `npm run make-tiny` before it starts a run that needs them. The trainer is
 * not imported here, so the web app does not bundle TensorFlow.js.
 */
import fs from "node:fs";
import path from "node:path";
import { TINY_DEMO_VERSION, TINY_DEMO_VERSION_FILE } from "../../../trainer/tiny/version";
import { spawnTrainerProcess } from "./command";

export const TINY_DEMO_DIR = "data/tiny";
/** make-tiny writes these two folders under its --out folder. */
const PARTS = ["model", "dataset"] as const;
/** The trainer flags whose values may name the tiny demo's folders. */
const PATH_FLAGS = ["--pretrained_model_name_or_path", "--dataset_name"];

const MAKE_TINY_COMMAND = ["npm", "run", "make-tiny", "--", "--out"];

/** True when `value` (relative to `cwd`) names the tiny demo's model or dataset folder. */
export function isTinyDemoPath(value: string, cwd: string = process.cwd()): boolean {
  const resolved = path.resolve(cwd, value);
  return PARTS.some((part) => resolved === path.resolve(cwd, TINY_DEMO_DIR, part));
}

/** True when the demo under `root` was written by this version of make-tiny (trainer/tiny/version.ts). */
function isCurrentDemo(root: string): boolean {
  try {
    return fs.readFileSync(path.join(root, TINY_DEMO_VERSION_FILE), "utf8").trim() === TINY_DEMO_VERSION;
  } catch {
    return false;
  }
}

/** The tiny demo folders a launch's arguments name and that are missing on disk or made by another make-tiny. */
export function missingTinyDemoParts(argv: string[], cwd: string): string[] {
  const named = argv
    .map((a) => a.split(/=(.*)/s, 2))
    .filter(([flag, value]) => PATH_FLAGS.includes(flag) && value !== undefined && isTinyDemoPath(value, cwd))
    .map(([, value]) => path.resolve(cwd, value));
  const current = isCurrentDemo(path.resolve(cwd, TINY_DEMO_DIR));
  return [...new Set(named)].filter((dir) => !current || !fs.existsSync(dir));
}

/**
 * Generates the tiny demo when a launch needs it and it is missing or stale. make-tiny
 * writes to a scratch folder that is then renamed into place, so a half-written
 * demo (a crash, a server restart) is never mistaken for a complete one.
 * Its console goes to `outputFd` (the launch's output log). Throws when it fails.
 */
export async function ensureTinyDemo(argv: string[], cwd: string, outputFd: number): Promise<void> {
  if (!missingTinyDemoParts(argv, cwd).length) return;
  const root = path.resolve(cwd, TINY_DEMO_DIR);
  const scratch = `${root}.partial-${process.pid}-${Date.now()}`;
  fs.writeSync(outputFd, `inkstone: generating the tiny demo model and dataset in ${TINY_DEMO_DIR} (first tiny run on this machine)\n`);
  try {
    const [cmd, ...args] = [...MAKE_TINY_COMMAND, scratch];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawnTrainerProcess([cmd, ...args], { cwd, output: outputFd });
      child.once("error", reject);
      child.once("exit", (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`could not generate the tiny demo: \`${[cmd, ...args].join(" ")}\` exited with code ${code}`);
    const current = isCurrentDemo(root);
    fs.mkdirSync(root, { recursive: true });
    for (const part of PARTS) {
      if (current && fs.existsSync(path.join(root, part))) continue;
      fs.rmSync(path.join(root, part), { recursive: true, force: true });
      fs.renameSync(path.join(scratch, part), path.join(root, part));
    }
    // Stamped last: a crash before here leaves the demo stale, so it is made again.
    fs.renameSync(path.join(scratch, TINY_DEMO_VERSION_FILE), path.join(root, TINY_DEMO_VERSION_FILE));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
