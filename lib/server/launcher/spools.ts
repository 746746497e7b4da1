/**
 * Where the SDK of a launched run leaves its spool when the server could not
 * confirm everything (e.g. the database was down as the run ended). Nobody
 * runs `npm run sync` for a run started from the form, so the server uploads
 * these itself: after each run and at start.
 */
import path from "node:path";
import { isSpoolDir } from "@/lib/sdk/spool";
import { syncSpool } from "@/lib/sdk/sync";

/** The trainer spools under `<output_dir>/.inkstone/<run id>`, any other SDK script under `<cwd>/.inkstone/spool/<run id>`. */
export function launchedSpoolDirs(runId: string, argv: string[], cwd: string): string[] {
  const dirs = [path.resolve(cwd, ".inkstone", "spool", runId)];
  const at = argv.findIndex((a) => a === "--output_dir" || a.startsWith("--output_dir="));
  const outputDir = at < 0 ? undefined : argv[at].includes("=") ? argv[at].slice(argv[at].indexOf("=") + 1) : argv[at + 1];
  if (outputDir) dirs.push(path.resolve(cwd, outputDir, ".inkstone", runId));
  return dirs.filter(isSpoolDir);
}

/** Uploads a launched run's leftover spools to this server; true when one held anything. */
export async function syncLaunchedSpools(runId: string, argv: string[], cwd: string, url: string, log: (line: string) => void): Promise<boolean> {
  const dirs = launchedSpoolDirs(runId, argv, cwd);
  for (const dir of dirs) {
    const result = await syncSpool(dir, { url, log: (line) => log(`inkstone: run ${runId}'s spool: ${line}`) });
    if (result.error) log(`inkstone: run ${runId}'s spool in ${dir} is kept (${result.error}); the next start tries again`);
  }
  return dirs.length > 0;
}
