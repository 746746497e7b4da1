import { Badge } from "./badge";
import { Button } from "./button";

/** The last cell of a credential's row (API key, worker token): a Revoke button, or "revoked" once it is. */
export function RevokeCell({ revoked, onRevoke }: { revoked: boolean; onRevoke: () => void }) {
  return (
    <td className="num">
      {revoked ? (
        <Badge tone="gray">revoked</Badge>
      ) : (
        <Button size="sm" variant="danger" onClick={onRevoke}>
          Revoke
        </Button>
      )}
    </td>
  );
}
