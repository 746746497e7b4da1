/** A run's config as a key/value table; nested objects get a dotted row per leaf. */
import { flattenConfig } from "@/lib/browser/format";
import { KeyValues } from "./key-values";

export function ConfigTable({ config }: { config: Record<string, unknown> }) {
  const rows = flattenConfig(config);
  if (!rows.length) return <p className="muted">No config logged. Pass it to the SDK: init({"{"} config: {"{"} learning_rate: 1e-5 {"}"} {"}"}).</p>;
  return <KeyValues rows={rows} testId="config-table" />;
}
