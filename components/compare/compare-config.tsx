"use client";
/** Configs of several runs side by side, one column per run in its colour; optionally only the keys that differ. */
import { useMemo } from "react";
import { flattenConfig, formatConfigExact } from "@/lib/browser/format";
import styles from "./compare.module.css";

export interface ConfigColumn {
  id: string;
  label: string;
  color: string;
  config: Record<string, unknown>;
}

export function configRows(columns: ConfigColumn[]): { key: string; values: string[]; differs: boolean }[] {
  const flat = columns.map((c) => new Map(flattenConfig(c.config).map(([k, v]) => [k, formatConfigExact(v)])));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => {
    const values = flat.map((m) => m.get(key) ?? "—");
    return { key, values, differs: new Set(values).size > 1 };
  });
}

export function CompareConfig({ columns, diffOnly, onDiffOnly }: { columns: ConfigColumn[]; diffOnly: boolean; onDiffOnly: (v: boolean) => void }) {
  const rows = useMemo(() => configRows(columns), [columns]);
  const shown = diffOnly ? rows.filter((r) => r.differs) : rows;
  const differing = rows.filter((r) => r.differs).length;
  return (
    <section aria-label="Config comparison">
      <label className={styles.toggle}>
        <input type="checkbox" checked={diffOnly} onChange={(e) => onDiffOnly(e.target.checked)} /> Differences only
        <span className="muted">
          ({differing} of {rows.length} keys differ)
        </span>
      </label>
      {shown.length === 0 ? (
        <p className="muted">{rows.length === 0 ? "None of these runs logged a config." : "Every config value is the same in these runs."}</p>
      ) : (
        <div className={styles.tableBox}>
          <table className={styles.table} data-testid="compare-config">
            <thead>
              <tr>
                <th scope="col">Key</th>
                {columns.map((c) => (
                  <th key={c.id} scope="col" style={{ borderTopColor: c.color }} className={styles.runHead}>
                    <span className={styles.dot} style={{ background: c.color }} aria-hidden />
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.key} className={r.differs ? styles.differs : undefined}>
                  <th scope="row">{r.key}</th>
                  {r.values.map((v, i) => (
                    <td key={columns[i].id}>{v}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
