/** A two-column key/value table, as the config and environment panels show them. */
import { formatConfigExact } from "@/lib/browser/format";
import styles from "./run.module.css";

export function KeyValues({ rows, caption, testId }: { rows: [string, unknown][]; caption?: string; testId?: string }) {
  return (
    <table className={styles.kv} data-testid={testId}>
      {caption && <caption>{caption}</caption>}
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{formatConfigExact(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
