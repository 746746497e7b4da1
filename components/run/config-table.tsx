/** A run's config as a key/value table; nested objects get a dotted row per leaf. */
import { flattenConfig, formatValue } from "@/lib/dashboard/format";
import styles from "./run.module.css";

export function ConfigTable({ config }: { config: Record<string, unknown> }) {
  const rows = flattenConfig(config);
  if (!rows.length) return <p className="muted">No config logged. Pass it to the SDK: init({"{"} config: {"{"} learning_rate: 1e-5 {"}"} {"}"}).</p>;
  return (
    <table className={styles.kv} data-testid="config-table">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{formatValue(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
