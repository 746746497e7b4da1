"use client";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { RevokeCell } from "@/components/ui/revoke-cell";
import { SkeletonRows } from "@/components/ui/spinner";
import { apiFetch } from "@/lib/browser/client/api";
import { formatDateTime } from "@/lib/browser/format";
import { useManagedList } from "@/components/ui/use-managed-list";

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiKeysPanel() {
  const { rows: keys, error, setError, busy, submit, revoke: remove } = useManagedList<KeyRow>("/api/keys");
  const [created, setCreated] = useState<string | null>(null);

  const create = (e: FormEvent<HTMLFormElement>) =>
    submit(e, async (fields) => {
      const res = await apiFetch<KeyRow & { key: string }>("/api/keys", { method: "POST", json: { name: fields.get("name") } });
      setCreated(res.key);
    });

  function revoke(id: string) {
    if (window.confirm("Revoke this key? Scripts using it will stop working.")) void remove(id);
  }

  return (
    <Panel title="API keys">
      <div className="stack">
        <p className="muted small">
          The SDK and the trainer create runs with a key: <code>INKSTONE_API_KEY=… npm run train -- …</code>
        </p>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <form className="row" onSubmit={create}>
          <input type="text" name="name" placeholder="Key name, e.g. laptop" aria-label="Key name" required maxLength={100} />
          <Button type="submit" variant="primary" busy={busy}>
            Create key
          </Button>
        </form>
        {created ? (
          <div className="notice" role="status">
            <div className="small">Copy this key now; it is not shown again:</div>
            <code data-testid="new-api-key">{created}</code>
          </div>
        ) : null}
        {keys === null ? (
          <SkeletonRows rows={2} />
        ) : keys.length === 0 ? (
          <EmptyState title="No API keys yet">Create one to log runs from scripts.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Key</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td className="mono">{k.prefix}…</td>
                    <td>{formatDateTime(k.createdAt)}</td>
                    <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : <span className="muted">never</span>}</td>
                    <RevokeCell revoked={Boolean(k.revokedAt)} onRevoke={() => void revoke(k.id)} />
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
