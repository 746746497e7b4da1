/**
 * Where a run executed, from the environment document the trainer sent at
 * start. Known keys get sections of their own (runtime, hardware, GPU, git,
 * command line, packages); anything else is shown under "Other", so nothing
 * the trainer records is hidden.
 */
import { flattenConfig } from "@/lib/browser/format";
import { KeyValues } from "./key-values";
import styles from "./run.module.css";

const SECTIONS: { title: string; keys: string[] }[] = [
  { title: "Runtime", keys: ["runtime", "tensorflow", "python", "node", "os", "platform"] },
  { title: "Hardware", keys: ["hardware", "cpu", "memory"] },
  { title: "GPU", keys: ["gpu", "gpus", "cuda"] },
  { title: "Git", keys: ["git"] },
  { title: "Command line", keys: ["commandLine", "command", "argv", "cwd"] },
  { title: "Packages", keys: ["packages", "dependencies"] },
];

export function EnvironmentPanel({ environment, commandLine }: { environment: Record<string, unknown> | null; commandLine: string | null }) {
  const env = { ...(environment ?? {}) };
  if (commandLine && env.commandLine === undefined) env.commandLine = commandLine;
  const known = new Set(SECTIONS.flatMap((s) => s.keys));
  const other = Object.keys(env).filter((k) => !known.has(k));
  const sections = [...SECTIONS, { title: "Other", keys: other }]
    .map((s) => ({ title: s.title, entries: s.keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]] as const) }))
    .filter((s) => s.entries.length);
  if (!sections.length) {
    return <p className="muted">No environment recorded. The SDK sends it when the run starts (runtime, hardware, GPU, git, command line, packages).</p>;
  }
  return (
    <div className={styles.envGrid} data-testid="environment">
      {sections.map((s) => (
        <section key={s.title} className={styles.envSection}>
          <h3>{s.title}</h3>
          {s.entries.map(([k, v]) => (
            <EnvValue key={k} name={k} value={v} single={s.entries.length === 1} />
          ))}
        </section>
      ))}
    </div>
  );
}

function EnvValue({ name, value, single }: { name: string; value: unknown; single: boolean }) {
  if (typeof value === "string" && (name === "commandLine" || name === "command")) return <pre className="code-block">{value}</pre>;
  if (Array.isArray(value) && value.every((v) => v && typeof v === "object")) {
    if (!value.length) return <p className="muted">none</p>;
    return (
      <>
        {value.map((item, i) => (
          <KeyValues key={i} rows={flattenConfig(item as Record<string, unknown>)} caption={`${name} ${i}`} />
        ))}
      </>
    );
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return <KeyValues rows={flattenConfig(value as Record<string, unknown>)} caption={single ? undefined : name} />;
  }
  return <KeyValues rows={[[name, value]]} />;
}
