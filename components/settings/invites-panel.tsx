"use client";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { SkeletonRows } from "@/components/ui/spinner";
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

  return (
    <Panel title="Invites">
      <div className="stack">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <form className="row" onSubmit={create}>
          <input type="email" name="email" placeholder="teammate@example.com (optional)" aria-label="Invitee email" />
          <Button type="submit" variant="primary" busy={busy}>
            Create invite link
          </Button>
        </form>
        {link ? (
          <div className="notice" role="status">
            <div className="small">Send this link (valid 7 days, once); it is not shown again:</div>
            <code data-testid="invite-link">{link}</code>
          </div>
        ) : null}
        {invites === null ? (
          <SkeletonRows rows={2} />
        ) : invites.length === 0 ? (
          <EmptyState title="No invites yet">Create a link and send it to a teammate so they can sign up.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>For</th>
                  <th>Created</th>
                  <th>Expires</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {invites.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email ?? <span className="muted">anyone with the link</span>}</td>
                    <td>{formatDateTime(i.createdAt)}</td>
                    <td>{formatDateTime(i.expiresAt)}</td>
                    <td>
                      <Badge tone={TONE[i.state]}>{i.state}</Badge>
                    </td>
                    <td className="num">
                      {i.state === "used" ? null : (
                        <Button size="sm" variant="danger" onClick={() => void revoke(i.id)}>
                          Revoke
                        </Button>
                      )}
                    </td>
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
