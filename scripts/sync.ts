/**
 * Uploads offline spools left by the SDK:
 *   npm run sync -- DIR [--url URL]
 * DIR is one run's spool (it holds run.json) or a folder of them, e.g.
 * ./.inkstone/spool. Runs created while offline are created with the API key
 * in INKSTONE_API_KEY. Exits 1 when some spool could not be uploaded (it is
 * kept, and running sync again resumes it).
 */
import { ArgumentParser } from "argparse";
import { findSpools, syncSpool } from "@/lib/sdk/sync";

const parser = new ArgumentParser({ prog: "npm run sync --", description: "Uploads the offline spools the SDK left." });
parser.add_argument("dirs", { nargs: "+", metavar: "DIR", help: "A run's spool directory or a folder of them (default location ./.inkstone/spool)." });
parser.add_argument("--url", { help: "The Inkstone server (default: the one the run was logging to)." });
const { dirs: roots, url } = parser.parse_args() as { dirs: string[]; url?: string };

let failed = 0;
let found = 0;
for (const root of roots) {
  const dirs = findSpools(root);
  if (dirs.length === 0) console.log(`${root}: no spool found`);
  for (const dir of dirs) {
    found++;
    const result = await syncSpool(dir, { url, log: (line) => console.log(`${dir}: ${line}`) });
    if (result.error) failed++;
  }
}
console.log(`synced ${found - failed} of ${found} spool(s)`);
process.exit(failed ? 1 : 0);
