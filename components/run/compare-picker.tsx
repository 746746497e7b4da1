"use client";
/**
 * The run page's "Compare…": a picker of other runs, the same project's recent
 * runs first, with a search over run names. Choosing one opens compare with
 * both runs.
 */
import { useEffect, useState } from "react";
import Link from "next/link";
import { apiFetch, errorText } from "@/lib/browser/client/api";
import { compareCandidates } from "@/lib/browser/compare-candidates";
import type { RunListItem } from "@/lib/server/runs/queries";
import { formatAgo } from "@/lib/browser/format";
import { Popover } from "@/components/ui/popover";
import { StatusBadge } from "@/components/ui/status-badge";

/** Runs listed at once; the search finds the rest. */
const SHOWN = 12;
/** Typing pauses this long before the search asks the server. */
const SEARCH_DELAY_MS = 200;

type RunPage = { runs: RunListItem[] };

export function ComparePicker({ run }: { run: { id: string; project: string } }) {
  return (
    <Popover label="Compare with another run" trigger="Compare…">
      {() => <Candidates run={run} />}
    </Popover>
  );
}

function Candidates({ run }: { run: { id: string; project: string } }) {
  const [q, setQ] = useState("");
  const [runs, setRuns] = useState<RunListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const { id, project } = run;
  useEffect(() => {
    let current = true;
    const search = q.trim() ? `&q=${encodeURIComponent(q.trim())}` : "";
    const timer = setTimeout(
      () => {
        Promise.all([
          apiFetch<RunPage>(`/api/runs?project=${encodeURIComponent(project)}&pageSize=${SHOWN + 1}${search}`),
          apiFetch<RunPage>(`/api/runs?pageSize=${SHOWN + 1}${search}`),
        ]).then(
          ([same, recent]) => {
            if (!current) return;
            setRuns(compareCandidates({ id, project }, same.runs, recent.runs, SHOWN));
            setError(null);
          },
          (err: unknown) => current && setError(`could not list runs: ${errorText(err)}`),
        );
      },
      q ? SEARCH_DELAY_MS : 0,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q, id, project]);

  return (
    <div className="stack-sm" style={{ minWidth: 320 }} data-testid="compare-picker">
      <input type="search" placeholder="Search run names…" aria-label="Search runs to compare" value={q} onChange={(e) => setQ(e.target.value)} />
      {error ? (
        <p className="small" style={{ color: "var(--danger)" }} role="alert">
          {error}
        </p>
      ) : runs === null ? (
        <p className="muted small">Loading runs…</p>
      ) : runs.length === 0 ? (
        <p className="muted small">{q ? `No other run matches “${q}”.` : "There is no other run yet."}</p>
      ) : (
        <ul className="menu-list" aria-label="Runs to compare with">
          {runs.map((r) => (
            <li key={r.id}>
              <Link href={`/compare?runs=${encodeURIComponent(id)},${encodeURIComponent(r.id)}`} prefetch={false}>
                <StatusBadge status={r.status} />
                <span className="truncate">{r.name}</span>
                <span className="muted small">
                  {r.project === project ? "" : `${r.project} · `}
                  {formatAgo(r.createdAt, Date.now())}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
