"use client";
import { useState, type FormEvent } from "react";
import { Badge } from "@/components/ui/badge";
import { CreateForm, ShownOnce } from "@/components/ui/create-form";
import { LoadingTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { RevokeButton } from "@/components/ui/revoke-button";
import { apiFetch } from "@/lib/browser/client/api";
import { formatDateTime } from "@/lib/browser/format";
import { useManagedList } from "@/components/ui/use-managed-list";

interface InviteRow {
  id: string;
  email: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  state: "open" | "used" | "expired";
}

const TONE = { open: "green", used: "gray", expired: "amber" } as const;

/** The admin invites teammates: each invite is a one-time sign-up link. */
export function InvitesPanel() {
  const { rows: invites, error, setError, busy, submit, revoke } = useManagedList<InviteRow>("/api/invites");
  const [link, setLink] = useState<string | null>(null);

  const create = (e: FormEvent<HTMLFormElement>) =>
    submit(e, async (fields) => {
      const res = await apiFetch<{ path: string }>("/api/invites", { method: "POST", json: { email: fields.get("email") } });
      setLink(new URL(res.path, window.location.origin).toString());
    });

  const columns: Column<InviteRow>[] = [
    { header: "For", cell: (i) => i.email ?? <span className="muted">anyone with the link</span> },
    { header: "Created", cell: (i) => formatDateTime(i.createdAt) },
    { header: "Expires", cell: (i) => formatDateTime(i.expiresAt) },
    { header: "State", cell: (i) => <Badge tone={TONE[i.state]}>{i.state}</Badge> },
    // A used invite has made its account: nothing is left to revoke.
    { header: "", cell: (i) => (i.state === "used" ? null : <RevokeButton onRevoke={() => void revoke(i.id)} />), className: "num" },
  ];

  return (
    <Panel title="Invites">
      <div className="stack">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <CreateForm onSubmit={create} busy={busy} label="Create invite link">
          <input type="email" name="email" placeholder="teammate@example.com (optional)" aria-label="Invitee email" />
        </CreateForm>
        {link ? (
          <ShownOnce label="Send this link (valid 7 days, once); it is not shown again:" testId="invite-link">
            {link}
          </ShownOnce>
        ) : null}
        <LoadingTable
          rows={invites}
          columns={columns}
          empty={<EmptyState title="No invites yet">Create a link and send it to a teammate so they can sign up.</EmptyState>}
        />
      </div>
    </Panel>
  );
}
