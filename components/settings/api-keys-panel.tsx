"use client";
import { useState, type FormEvent } from "react";
import { CreateForm, ShownOnce } from "@/components/ui/create-form";
import { LoadingTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { apiFetch } from "@/lib/browser/client/api";
import { formatDateTime } from "@/lib/browser/format";
import { useManagedList } from "@/components/ui/use-managed-list";
import { credentialColumns } from "./credential-columns";

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiKeysPanel() {
  const { rows: keys, error, setError, busy, submit, revoke } = useManagedList<KeyRow>("/api/keys", { confirmRevoke: "Revoke this key? Scripts using it will stop working." });
  const [created, setCreated] = useState<string | null>(null);

  const create = (e: FormEvent<HTMLFormElement>) =>
    submit(e, async (fields) => {
      const res = await apiFetch<KeyRow & { key: string }>("/api/keys", { method: "POST", json: { name: fields.get("name") } });
      setCreated(res.key);
    });

  const columns = credentialColumns<KeyRow>({
    secret: "Key",
    own: { header: "Created", cell: (k) => formatDateTime(k.createdAt) },
    lastUsed: { header: "Last used", at: (k) => k.lastUsedAt },
    onRevoke: (id) => void revoke(id),
  });

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
