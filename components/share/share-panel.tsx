"use client";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { SkeletonRows } from "@/components/ui/spinner";
import { fetchJson } from "@/components/ui/fetch-json";
import { useManagedList } from "@/components/ui/use-managed-list";
import { formatDateTime } from "@/lib/format";
import type { ShareLinkView } from "@/lib/share/links";

/**
 * "Share": read-only public links to this run, listed with who made them,
 * each revocable. Mount it for signed-in viewers only (a share link's viewer
 * gets 403 from these APIs anyway).
 */
export function SharePanel({ runId }: { runId: string }) {
  const base = `/api/runs/${encodeURIComponent(runId)}/share`;
  const { rows: links, error, setError, busy, create: run, revoke: remove } = useManagedList<ShareLinkView>(base);
  const [copied, setCopied] = useState<string | null>(null);

  const create = () =>
    run(async () => {
      await copy(await fetchJson<ShareLinkView>(base, { method: "POST" }));
    });
  function revoke(id: string) {
    if (window.confirm("Revoke this link? Anyone using it loses access.")) void remove(id);
  }
  async function copy(link: ShareLinkView) {
    try {
      await navigator.clipboard.writeText(absolute(link.path));
      setCopied(link.id);
    } catch {
      // Clipboard refused (http, permissions): the link is on screen to copy by hand.
    }
  }

  const active = links?.filter((l) => !l.revokedAt) ?? [];
  return (
    <Panel
      title="Share"
      actions={
        <Button size="sm" variant="primary" busy={busy} onClick={() => void create()}>
          Create public link
        </Button>
      }
    >
      <div className="stack-sm">
        <span className="muted small">Anyone with a link can view this run, read-only, without an account.</span>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {links === null ? (
          <SkeletonRows rows={1} />
        ) : links.length === 0 ? (
          <span className="muted small">No links yet.</span>
        ) : (
          <table className="table" data-testid="share-links">
            <tbody>
              {links.map((l) => (
                <tr key={l.id}>
                  <td className="mono truncate" style={{ maxWidth: 360 }}>
                    {l.revokedAt ? <s className="muted">{absolute(l.path)}</s> : <a href={l.path}>{absolute(l.path)}</a>}
                  </td>
                  <td className="muted nowrap small">
                    {formatDateTime(l.createdAt)}
                    {l.createdBy ? ` · ${l.createdBy}` : ""}
                  </td>
                  <td className="num nowrap">
                    {l.revokedAt ? (
                      <Badge tone="gray">revoked</Badge>
                    ) : (
                      <span className="row" style={{ justifyContent: "flex-end" }}>
                        <Button size="sm" onClick={() => void copy(l)}>
                          {copied === l.id ? "Copied" : "Copy"}
                        </Button>
                        <Button size="sm" variant="danger" onClick={() => revoke(l.id)}>
                          Revoke
                        </Button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {active.length ? <span className="muted small">{active.length} active</span> : null}
      </div>
    </Panel>
  );
}

function absolute(path: string): string {
  return typeof window === "undefined" ? path : new URL(path, window.location.origin).toString();
}
