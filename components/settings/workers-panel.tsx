"use client";
import { useState, type FormEvent } from "react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { RevokeCell } from "@/components/ui/revoke-cell";
import { SkeletonRows } from "@/components/ui/spinner";
import { apiFetch } from "@/lib/browser/client/api";
import { formatDateTime } from "@/lib/browser/format";
import { useManagedList } from "@/components/ui/use-managed-list";

interface WorkerRow {
  id: string;
  name: string;
  prefix: string;
  state: string;
  hostname: string | null;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

/** Admin only: a token per GPU host, scoped to claiming and reporting runs, revocable here. */
export function WorkersPanel() {
  const { rows: workers, error, setError, busy, submit, revoke: remove } = useManagedList<WorkerRow>("/api/workers");
  const [created, setCreated] = useState<{ name: string; token: string; server: string } | null>(null);

  const create = (e: FormEvent<HTMLFormElement>) =>
    submit(e, async (fields) => {
      const res = await apiFetch<WorkerRow & { token: string }>("/api/workers", { method: "POST", json: { name: fields.get("name") } });
      // The address this browser reached the server at is the one a worker host most likely can too.
      setCreated({ name: res.name, token: res.token, server: window.location.origin });
    });

  function revoke(id: string) {
    if (window.confirm("Revoke this worker's token? Its running runs crash and it can claim no more.")) void remove(id);
  }

  return (
    <Panel title="Workers">
      <div className="stack">
        <p className="muted small">
          A worker runs queued runs on another GPU host. Create a token here, then on that host (a clone of Inkstone) run the command shown. See also the{" "}
          <Link href="/workers">Workers page</Link>.
        </p>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <form className="row" onSubmit={create}>
          <input type="text" name="name" placeholder="Worker name, e.g. host-a" aria-label="Worker name" required maxLength={100} pattern="[\w.\-]+" />
          <Button type="submit" variant="primary" busy={busy}>
            Create worker token
          </Button>
        </form>
        {created ? (
          <div className="notice" role="status">
            <div className="small">Copy this command now; the token is not shown again:</div>
            <code className="code-block" data-testid="new-worker-command">
              npm run worker -- --server {created.server} --token {created.token} --name {created.name}
            </code>
          </div>
        ) : null}
        {workers === null ? (
          <SkeletonRows rows={2} />
        ) : workers.length === 0 ? (
          <EmptyState title="No workers yet">Runs start on this server until a worker is added.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Token</th>
                  <th>Host</th>
                  <th>Last seen</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {workers.map((w) => (
                  <tr key={w.id}>
                    <td>{w.name}</td>
                    <td className="mono">{w.prefix}…</td>
                    <td>{w.hostname ?? <span className="muted">not connected yet</span>}</td>
                    <td>{w.lastSeenAt ? formatDateTime(w.lastSeenAt) : <span className="muted">never</span>}</td>
                    <RevokeCell revoked={Boolean(w.revokedAt)} onRevoke={() => void revoke(w.id)} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Panel>
  );
}
