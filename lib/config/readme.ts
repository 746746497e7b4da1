/**
 * The README's list of environment variables, rendered from the table in
 * ./variables.ts and kept between two markers: `npm run docs:env` rewrites
 * it, and a unit test fails when it is out of date.
 */
import { defaultOf } from "./env";
import { VARIABLES, type EnvVariable } from "./variables";

export const ENV_SECTION_START = "<!-- env:start (generated from lib/config/variables.ts by `npm run docs:env`) -->";
export const ENV_SECTION_END = "<!-- env:end -->";

function shownDefault(variable: EnvVariable): string {
  const value = defaultOf(variable);
  if (value === undefined) return "unset";
  if (typeof value === "boolean") return value ? "on" : "off";
  return `\`${String(value)}\``;
}

export function envTableMarkdown(): string {
  const rows = Object.entries(VARIABLES as Record<string, EnvVariable>).map(
    ([name, v]) => `| \`${name}\` | ${v.readBy.join(", ")} | ${shownDefault(v)} | ${v.description.replaceAll("|", "\\|")} |`,
  );
  return ["| Variable | Read by | Default | What it does |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** The README with its generated section brought up to date; an Error when the markers are missing. */
export function withEnvSection(readme: string): string {
  const start = readme.indexOf(ENV_SECTION_START);
  const end = readme.indexOf(ENV_SECTION_END);
  if (start < 0 || end < start) throw new Error(`README.md: the markers ${ENV_SECTION_START} … ${ENV_SECTION_END} are missing`);
  return `${readme.slice(0, start + ENV_SECTION_START.length)}\n${envTableMarkdown()}\n${readme.slice(end)}`;
}
