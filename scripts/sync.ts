/**
 * Uploads offline spools left by the SDK:
 *   npm run sync -- DIR [--url URL]
 * DIR is one run's spool (it holds run.json) or a folder of them, e.g.
 * ./.inkstone/spool. Runs created while offline are created with the API key
 * in INKSTONE_API_KEY. Exits 1 when some spool could not be uploaded (it is
 * kept, and running sync again resumes it).
 */
import { parseArgs } from "node:util";
import { findSpools, syncSpool } from "@/lib/sdk/sync";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: "string" }, help: { type: "boolean", short: "h" } },
});

if (values.help || positionals.length === 0) {
  console.log("usage: npm run sync -- DIR [DIR...] [--url URL]\n  DIR: a run's spool directory or a folder of them (default location ./.inkstone/spool)");
  process.exit(values.help ? 0 : 2);
}

let failed = 0;
let found = 0;
for (const root of positionals) {
  const dirs = findSpools(root);
  if (dirs.length === 0) console.log(`${root}: no spool found`);
  for (const dir of dirs) {
    found++;
    const result = await syncSpool(dir, { url: values.url, log: (line) => console.log(`${dir}: ${line}`) });
    if (result.error) failed++;
  }
}
console.log(`synced ${found - failed} of ${found} spool(s)`);
process.exit(failed ? 1 : 0);
