"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, useTransition, type FormEvent } from "react";
import { Button, LinkButton } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Spinner } from "@/components/ui/spinner";
import { StatusBadge } from "@/components/ui/status-badge";
import { formatAgo, formatConfigCell, formatDateTime, formatDurationCompact, formatMetricValue, runDuration } from "@/lib/browser/format";
import { RUN_STATUSES } from "@/lib/protocol/wire";
import type { ProjectFacet } from "@/lib/server/runs/facets";
import { runsViewQuery, type RunsView } from "@/lib/browser/runs-list-url";
import type { RunListItem, RunSort } from "@/lib/server/runs/queries";
import { ColumnPicker } from "./column-picker";
import { useLiveStatuses } from "./use-live-statuses";

type SortColumn = RunSort;
/** Columns whose first click sorts from the smallest: names A to Z, and metrics (losses) from the lowest. */
const ASCENDING_FIRST: SortColumn[] = ["name", "lastMetric", "minMetric"];

export function RunsTable({
  view,
  result,
  projects,
  tags,
}: {
  view: RunsView;
  result: { runs: RunListItem[]; total: number; page: number; pageSize: number };
  projects: ProjectFacet[];
  tags: string[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [selected, setSelected] = useState<string[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const live = useLiveStatuses();
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    if (searchRef.current) searchRef.current.value = view.q ?? "";
  }, [view.q]);

  const rows = useMemo(
    () =>
      result.runs.map((r) => {
        const change = live.get(r.id);
        if (!change) return r;
        return {
          ...r,
          status: change.status,
          endedAt: change.endedAt ?? (change.status === "running" ? null : r.endedAt),
          startedAt: r.startedAt ?? (change.status === "running" ? new Date(change.at).toISOString() : null),
        };
      }),
    [result.runs, live],
  );
  const newRuns = useMemo(() => [...live.keys()].filter((id) => !result.runs.some((r) => r.id === id)).length, [live, result.runs]);
  const configKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const r of result.runs) for (const [k, v] of Object.entries(r.config ?? {})) if (v === null || typeof v !== "object") keys.add(k);
    return [...keys].sort();
  }, [result.runs]);

  function go(patch: Partial<RunsView>) {
    const next = { ...view, page: 1, ...patch };
    startTransition(() => router.push(`/${runsViewQuery(next)}`, { scroll: false }));
  }
  function search(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    go({ q: searchRef.current?.value.trim() || undefined });
  }
  function toggleStatus(s: string) {
    go({ status: view.status.includes(s) ? view.status.filter((x) => x !== s) : [...view.status, s] });
  }
  function sortBy(key: SortColumn) {
    const current = view.sort ?? "createdAt";
    const order = current === key ? ((view.order ?? "desc") === "desc" ? "asc" : "desc") : ASCENDING_FIRST.includes(key) ? "asc" : "desc";
    go({ sort: key, order, page: view.page });
  }
  function toggleRow(id: string) {
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  }

  const metric = view.metric ?? "train_loss";
  const filtered = !!(view.q || view.status.length || view.tag || view.project);
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const allOnPage = rows.length > 0 && rows.every((r) => selected.includes(r.id));

  return (
    <div className="stack-sm">
      <div className="page-header">
        <h1>Runs</h1>
        <span className="muted" data-testid="runs-total">
          {result.total.toLocaleString("en-US")} {result.total === 1 ? "run" : "runs"}
        </span>
        {pending ? <Spinner label="Loading" /> : null}
        <span className="spacer" />
        <Button
          variant="primary"
          disabled={selected.length < 2}
          title={selected.length < 2 ? "Tick two or more runs to compare them" : undefined}
          onClick={() => router.push(`/compare?runs=${selected.map(encodeURIComponent).join(",")}`)}
        >
          Compare{selected.length ? ` (${selected.length})` : ""}
        </Button>
        <LinkButton href="/runs/new">New run</LinkButton>
      </div>

      <div className="toolbar">
        <select aria-label="Project" value={view.project ?? ""} onChange={(e) => go({ project: e.target.value || undefined })}>
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.runs})
            </option>
          ))}
        </select>
        <form onSubmit={search} role="search">
          <input ref={searchRef} type="search" name="q" placeholder="Search run names…" defaultValue={view.q} aria-label="Search runs" />
        </form>
        <div className="row" role="group" aria-label="Status filter">
          {RUN_STATUSES.map((s) => (
            <button key={s} type="button" className="chip" aria-pressed={view.status.includes(s)} onClick={() => toggleStatus(s)}>
              {s}
            </button>
          ))}
        </div>
        <select aria-label="Tag" value={view.tag ?? ""} onChange={(e) => go({ tag: e.target.value || undefined })}>
          <option value="">Any tag</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <ColumnPicker available={configKeys} chosen={view.cols} onChange={(cols) => go({ cols, page: view.page })} />
        {filtered ? (
          <Button size="sm" variant="ghost" onClick={() => go({ q: undefined, status: [], tag: undefined, project: undefined })}>
            Clear filters
          </Button>
        ) : null}
      </div>

      {newRuns > 0 ? (
        <div className="notice row small">
          {newRuns} new or updated {newRuns === 1 ? "run" : "runs"} not on this page.
          <Button size="sm" onClick={() => startTransition(() => router.refresh())}>
            Refresh
          </Button>
        </div>
      ) : null}

      {rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No runs match these filters" action={<Button onClick={() => go({ q: undefined, status: [], tag: undefined, project: undefined })}>Clear filters</Button>} />
        ) : (
          <EmptyState title="No runs yet" action={<LinkButton href="/runs/new" variant="primary">Start a run from the form</LinkButton>}>
            Start a training run here, or log one from a script with the SDK or the HTTP API:
            <pre>{`curl -X POST $INKSTONE_URL/api/runs -H 'content-type: application/json' \\\n  -H "authorization: Bearer $INKSTONE_API_KEY" -d '{"project":"demo","name":"first"}'`}</pre>
          </EmptyState>
        )
      ) : (
        <div className="table-wrap" style={{ opacity: pending ? 0.6 : 1 }}>
          <table className="table" data-testid="runs-table">
            <thead>
              <tr>
                <th style={{ width: 28 }}>
                  <input
                    type="checkbox"
                    aria-label="Select all runs on this page"
                    checked={allOnPage}
                    onChange={() => setSelected(allOnPage ? selected.filter((id) => !rows.some((r) => r.id === id)) : [...new Set([...selected, ...rows.map((r) => r.id)])])}
                  />
                </th>
                <SortHeader label="Status" column="status" view={view} onSort={sortBy} />
                <SortHeader label="Name" column="name" view={view} onSort={sortBy} />
                <th>Project</th>
                <th>Tags</th>
                <SortHeader label="Created" column="createdAt" view={view} onSort={sortBy} />
                <SortHeader label="Duration" column="duration" view={view} onSort={sortBy} />
                <th>Ran on</th>
                <SortHeader label={metric} title={`${metric}: its last value`} column="lastMetric" view={view} onSort={sortBy} numeric />
                <SortHeader label={`min ${metric}`} title={`${metric}: its lowest value`} column="minMetric" view={view} onSort={sortBy} numeric />
                {view.cols.map((c) => (
                  <th key={c} className="num" title={`config.${c}`}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} aria-selected={selected.includes(r.id)} data-run-id={r.id}>
                  <td>
                    <input type="checkbox" aria-label={`Select ${r.name}`} checked={selected.includes(r.id)} onChange={() => toggleRow(r.id)} />
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td className="truncate" style={{ maxWidth: 320 }}>
                    <Link href={`/runs/${encodeURIComponent(r.id)}`} prefetch={false} title={r.name}>
                      {r.name}
                    </Link>
                  </td>
                  <td className="muted truncate" style={{ maxWidth: 160 }}>
                    {r.project}
                  </td>
                  <td>
                    {r.tags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td className="nowrap" title={formatDateTime(r.createdAt)}>
                    {formatAgo(r.createdAt, now)}
                  </td>
                  <td className="nowrap">{formatDurationCompact(runDuration(r, now))}</td>
                  <td className="muted truncate" style={{ maxWidth: 200 }} title={r.ranOn ?? "logged from a script"}>
                    {r.ranOn ?? "script"}
                  </td>
                  <td className="num mono">{formatMetricValue(r.lastMetric)}</td>
                  <td className="num mono">{formatMetricValue(r.minMetric)}</td>
                  {view.cols.map((c) => (
                    <td key={c} className="num mono truncate" style={{ maxWidth: 180 }}>
                      {formatConfigCell(r.config?.[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {result.total > result.pageSize ? (
        <nav className="pagination" aria-label="Pages">
          <Button size="sm" disabled={view.page <= 1} onClick={() => go({ page: view.page - 1 })}>
            ← Previous
          </Button>
          <span className="muted">
            Page {view.page} of {pages.toLocaleString("en-US")}
          </span>
          <Button size="sm" disabled={view.page >= pages} onClick={() => go({ page: view.page + 1 })}>
            Next →
          </Button>
        </nav>
      ) : null}
    </div>
  );
}

function SortHeader({
  label,
  title,
  column,
  view,
  onSort,
  numeric,
}: {
  label: string;
  title?: string;
  column: SortColumn;
  view: RunsView;
  onSort: (c: SortColumn) => void;
  numeric?: boolean;
}) {
  const active = (view.sort ?? "createdAt") === column;
  const order = view.order ?? "desc";
  return (
    <th aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined} className={numeric ? "num" : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(column)} title={title}>
        {label}
        <span aria-hidden>{active ? (order === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
}
