"use client";
/**
 * The run's console output: the tail on open, earlier lines on demand, new
 * lines appended live (and followed while scrolled to the bottom), and a
 * server-side search.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { apiFetch, errorText } from "@/lib/browser/client/api";
import type { LiveLogLine } from "@/lib/protocol/schemas";
import { isErrorLine, mergeLogLines } from "@/lib/browser/log-lines";
import styles from "./logs.module.css";

const PAGE = 500;

interface LogsReply {
  lines: LiveLogLine[];
  nextAfterSeq: number | null;
}

export interface LogsPanelProps {
  runId: string;
  share: string | null;
  initial: LiveLogLine[];
  /** Live lines handed down by the page. */
  live: LiveLogLine[];
  q: string;
  onSearch: (q: string) => void;
}

export function LogsPanel({ runId, share, initial, live, q, onSearch }: LogsPanelProps) {
  const [lines, setLines] = useState<LiveLogLine[]>(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hasEarlier, setHasEarlier] = useState(initial.length > 0 && initial[0].seq > 0);
  const [hasMore, setHasMore] = useState(false);
  const [draft, setDraft] = useState(q);
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  const run = useCallback(async <T,>(fn: () => Promise<T>) => {
    setBusy(true);
    try {
      const v = await fn();
      setError(null);
      return v;
    } catch (err) {
      setError(`could not load logs: ${errorText(err)}`);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);

  // A search reads matching lines from the start; clearing it returns to the tail.
  useEffect(() => {
    setDraft(q);
    if (!q) {
      setLines(initial);
      setHasEarlier(initial.length > 0 && initial[0].seq > 0);
      setHasMore(false);
      return;
    }
    void run(async () => {
      const r = await apiFetch<LogsReply>(`/api/runs/${runId}/logs?q=${encodeURIComponent(q)}&limit=${PAGE}`, { share });
      setLines(r.lines);
      setHasEarlier(false);
      setHasMore(r.lines.length === PAGE);
    });
  }, [q, runId, share, initial, run]);

  // Live and caught-up lines: merged in by sequence number when they match the search
  // (a line read after a later one arrived live still lands in its place).
  useEffect(() => {
    if (!live.length) return;
    const needle = q.toLowerCase();
    setLines((prev) => {
      const first = prev[0]?.seq ?? -1;
      return mergeLogLines(prev, live.filter((l) => l.seq > first && (!needle || l.text.toLowerCase().includes(needle))));
    });
  }, [live, q]);

  useEffect(() => {
    if (follow.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  // Sequence numbers are assigned in order by the trainer, so the page before
  // the first shown line starts PAGE numbers earlier.
  const loadEarlier = () =>
    run(async () => {
      const first = lines[0]?.seq ?? 0;
      const after = Math.max(-1, first - PAGE - 1);
      const r = await apiFetch<LogsReply>(`/api/runs/${runId}/logs?after=${after}&limit=${PAGE}`, { share });
      const earlier = r.lines.filter((l) => l.seq < first);
      follow.current = false;
      setLines((prev) => [...earlier, ...prev]);
      setHasEarlier(after > -1);
    });

  const loadMore = () =>
    run(async () => {
      const last = lines[lines.length - 1]?.seq ?? -1;
      const r = await apiFetch<LogsReply>(`/api/runs/${runId}/logs?q=${encodeURIComponent(q)}&after=${last}&limit=${PAGE}`, { share });
      setLines((prev) => [...prev, ...r.lines]);
      setHasMore(r.lines.length === PAGE);
    });

  return (
    <section aria-label="Logs" className={styles.panel}>
      <form
        className={styles.search}
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(draft.trim());
        }}
      >
        <input type="search" placeholder="Search the logs" aria-label="Search the logs" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Search</button>
        {q && (
          <button type="button" onClick={() => onSearch("")}>
            Clear
          </button>
        )}
        <span className={styles.count}>{q ? `${lines.length}${hasMore ? "+" : ""} matching lines` : `${lines.length} lines`}</span>
      </form>
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
      <div
        ref={box}
        className={styles.console}
        data-testid="log-console"
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {hasEarlier && !q && (
          <button type="button" className={styles.more} onClick={() => void loadEarlier()} disabled={busy}>
            Load earlier lines
          </button>
        )}
        {lines.length === 0 && !busy && (
          <p className={styles.emptyText}>{q ? `No line contains “${q}”.` : "No console output yet. The trainer's stdout and stderr appear here as it runs."}</p>
        )}
        {lines.map((l) => (
          <div key={l.seq} className={isErrorLine(l) ? `${styles.line} ${styles.stderr}` : styles.line}>
            <span className={styles.seq}>{l.seq}</span>
            <span className={styles.text}>{l.text}</span>
          </div>
        ))}
        {hasMore && (
          <button type="button" className={styles.more} onClick={() => void loadMore()} disabled={busy}>
            Load more matches
          </button>
        )}
      </div>
    </section>
  );
}
