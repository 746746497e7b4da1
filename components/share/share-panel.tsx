"use client";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Panel } from "@/components/ui/panel";
import { SkeletonRows } from "@/components/ui/spinner";
import { apiFetch } from "@/lib/browser/client/api";
import { useManagedList } from "@/components/ui/use-managed-list";
import { formatDateTime } from "@/lib/browser/format";
import type { ShareLinkView } from "@/lib/server/share/links";

/**
 * "Share": read-only public links to this run, listed with who made them,
 * each revocable. A link's address is shown (and copied) once, when it is
 * made: the server keeps only a hash of its token. Mount it for signed-in
 * viewers only (a share link's viewer gets 403 from these APIs anyway).
 */
export function SharePanel({ runId }: { runId: string }) {
  const base = `/api/runs/${encodeURIComponent(runId)}/share`;
  const { rows: links, error, setError, busy, create: run, revoke } = useManagedList<ShareLinkView>(base, { confirmRevoke: "Revoke this link? Anyone using it loses access." });
  const [copied, setCopied] = useState<string | null>(null);
  /** The link made in this visit, the only one whose address is known here. */
  const [fresh, setFresh] = useState<{ id: string; path: string } | null>(null);

  const create = () =>
    run(async () => {
      const link = await apiFetch<ShareLinkView>(base, { method: "POST" });
      if (!link.path) return;
      setFresh({ id: link.id, path: link.path });
      await copy({ id: link.id, path: link.path });
    });
  async function copy(link: { id: string; path: string }) {
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
                    {fresh?.id === l.id && !l.revokedAt ? (
                      <a href={fresh.path}>{absolute(fresh.path)}</a>
                    ) : (
                      <span className="muted">{l.revokedAt ? <s>public link</s> : "public link (its address was shown when it was made)"}</span>
                    )}
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
                        {fresh?.id === l.id ? (
                          <Button size="sm" onClick={() => void copy(fresh)}>
                            {copied === l.id ? "Copied" : "Copy"}
                          </Button>
                        ) : null}
                        <Button size="sm" variant="danger" onClick={() => void revoke(l.id)}>
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
