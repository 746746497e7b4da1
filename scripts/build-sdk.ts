/**
 * Builds the SDK as a package of its own (lib/sdk/package.json): lib/sdk and
 * the wire contract it imports (lib/protocol) compiled to ESM JavaScript and
 * .d.ts by lib/sdk/tsconfig.json, with the package.json beside them.
 *   npm run build:sdk [-- --out DIR]   (default dist/sdk)
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { ArgumentParser } from "argparse";

const parser = new ArgumentParser({ prog: "npm run build:sdk --", description: "Builds the SDK package (JavaScript, .d.ts, package.json) into a folder." });
parser.add_argument("--out", { default: "dist/sdk", help: "The package folder to write; emptied first (default: dist/sdk)." });
const { out } = parser.parse_args() as { out: string };

const sdk = path.resolve(import.meta.dirname, "../lib/sdk");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", path.join(sdk, "tsconfig.json"), "--outDir", path.resolve(out)], { stdio: "inherit" });
fs.copyFileSync(path.join(sdk, "package.json"), path.join(out, "package.json"));
console.log(`build:sdk: wrote ${out}`);
