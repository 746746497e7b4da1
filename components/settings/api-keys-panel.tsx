"use client";
import { useState, type FormEvent } from "react";
import { CreateForm, ShownOnce } from "@/components/ui/create-form";
import { LoadingTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { RevokeButton } from "@/components/ui/revoke-button";
import { apiFetch } from "@/lib/client/api";
import { formatDateTime } from "@/lib/format";
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

  const columns: Column<KeyRow>[] = [
    { header: "Name", cell: (k) => k.name },
    { header: "Key", cell: (k) => `${k.prefix}…`, className: "mono" },
    { header: "Created", cell: (k) => formatDateTime(k.createdAt) },
    { header: "Last used", cell: (k) => (k.lastUsedAt ? formatDateTime(k.lastUsedAt) : <span className="muted">never</span>) },
    { header: "", cell: (k) => <RevokeButton revoked={Boolean(k.revokedAt)} onRevoke={() => revoke(k.id)} />, className: "num" },
  ];

  return (
    <Panel title="API keys">
      <div className="stack">
        <p className="muted small">
          The SDK and the trainer create runs with a key: <code>INKSTONE_API_KEY=… npm run train -- …</code>
        </p>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <CreateForm onSubmit={create} busy={busy} label="Create key">
          <input type="text" name="name" placeholder="Key name, e.g. laptop" aria-label="Key name" required maxLength={100} />
        </CreateForm>
        {created ? (
          <ShownOnce label="Copy this key now; it is not shown again:" testId="new-api-key">
            {created}
          </ShownOnce>
        ) : null}
        <LoadingTable rows={keys} columns={columns} empty={<EmptyState title="No API keys yet">Create one to log runs from scripts.</EmptyState>} />
      </div>
    </Panel>
  );
}
