/** `npm run docs:env`: rewrites the README's list of environment variables from lib/config/variables.ts. */
import fs from "node:fs";
import { withEnvSection } from "@/lib/config/readme";

const README = "README.md";
const before = fs.readFileSync(README, "utf8");
const after = withEnvSection(before);
if (after === before) console.log(`${README}: the environment variables are up to date`);
else {
  fs.writeFileSync(README, after);
  console.log(`${README}: rewrote the environment variables`);
}
