import type { Column } from "@/components/ui/data-table";
import { RevokeButton } from "@/components/ui/revoke-button";
import { formatDateTime } from "@/lib/browser/format";

/** A revocable credential as the settings tables list it (an API key, a worker's token). */
export interface CredentialRow {
  id: string;
  name: string;
  prefix: string;
  revokedAt: string | null;
}

/**
 * A credential's table: its name, the prefix that tells it apart (the secret
 * itself is never shown again), one column of its own, when it was last used,
 * and its Revoke button.
 */
export function credentialColumns<Row extends CredentialRow>(opts: {
  secret: string;
  own: Column<Row>;
  lastUsed: { header: string; at: (row: Row) => string | null };
  onRevoke: (id: string) => void;
}): Column<Row>[] {
  return [
    { header: "Name", cell: (r) => r.name },
    { header: opts.secret, cell: (r) => `${r.prefix}…`, className: "mono" },
    opts.own,
    { header: opts.lastUsed.header, cell: (r) => lastUsed(opts.lastUsed.at(r)) },
    { header: "", cell: (r) => <RevokeButton revoked={Boolean(r.revokedAt)} onRevoke={() => opts.onRevoke(r.id)} />, className: "num" },
  ];
}

function lastUsed(at: string | null) {
  return at ? formatDateTime(at) : <span className="muted">never</span>;
}
