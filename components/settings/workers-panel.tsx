"use client";
import { useState, type FormEvent } from "react";
import Link from "next/link";
import { CreateForm, ShownOnce } from "@/components/ui/create-form";
import { LoadingTable } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { apiFetch } from "@/lib/browser/client/api";
import { useManagedList } from "@/components/ui/use-managed-list";
import { credentialColumns } from "./credential-columns";

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
  const { rows: workers, error, setError, busy, submit, revoke } = useManagedList<WorkerRow>("/api/workers", { confirmRevoke: "Revoke this worker's token? Its running runs crash and it can claim no more." });
  const [created, setCreated] = useState<{ name: string; token: string; server: string } | null>(null);

  const create = (e: FormEvent<HTMLFormElement>) =>
    submit(e, async (fields) => {
      const res = await apiFetch<WorkerRow & { token: string }>("/api/workers", { method: "POST", json: { name: fields.get("name") } });
      // The address this browser reached the server at is the one a worker host most likely can too.
      setCreated({ name: res.name, token: res.token, server: window.location.origin });
    });

  const columns = credentialColumns<WorkerRow>({
    secret: "Token",
    own: { header: "Host", cell: (w) => w.hostname ?? <span className="muted">not connected yet</span> },
    lastUsed: { header: "Last seen", at: (w) => w.lastSeenAt },
    onRevoke: (id) => void revoke(id),
  });

  return (
    <Panel title="Workers">
      <div className="stack">
        <p className="muted small">
          A worker runs queued runs on another GPU host. Create a token here, then on that host (a clone of Inkstone) run the command shown. See also the{" "}
          <Link href="/workers">Workers page</Link>.
        </p>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <CreateForm onSubmit={create} busy={busy} label="Create worker token">
          <input type="text" name="name" placeholder="Worker name, e.g. host-a" aria-label="Worker name" required maxLength={100} pattern="[\w.\-]+" />
        </CreateForm>
        {created ? (
          <ShownOnce label="Copy this command now; the token is not shown again:" testId="new-worker-command" block>
            npm run worker -- --server {created.server} --token {created.token} --name {created.name}
          </ShownOnce>
        ) : null}
        <LoadingTable rows={workers} columns={columns} empty={<EmptyState title="No workers yet">Runs start on this server until a worker is added.</EmptyState>} />
      </div>
    </Panel>
  );
}
