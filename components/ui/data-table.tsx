import type { ReactNode } from "react";
import { SkeletonRows } from "./spinner";

/** One column: its header, and what a row shows in it. */
export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** The cells' class: "num" aligns right, "mono" for codes. */
  className?: string;
}

interface DataTableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  testId?: string;
}

/** A table in the app's style: a header line, then one line per row. */
export function DataTable<Row extends { id: string }>({ columns, rows, testId }: DataTableProps<Row>) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{c.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {columns.map((c, i) => (
                <td key={i} className={c.className}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A table whose rows are loading (null): placeholder lines until they come, `empty` when there are none. */
export function LoadingTable<Row extends { id: string }>({ rows, empty, ...table }: Omit<DataTableProps<Row>, "rows"> & { rows: readonly Row[] | null; empty: ReactNode }) {
  if (rows === null) return <SkeletonRows rows={2} />;
  if (rows.length === 0) return empty;
  return <DataTable rows={rows} {...table} />;
}
