import { Badge } from "./badge";
import { Button } from "./button";

/** What a revocable thing's row ends with (API key, worker token, invite): a Revoke button, or "revoked" once it is. */
export function RevokeButton({ revoked = false, onRevoke }: { revoked?: boolean; onRevoke: () => void }) {
  if (revoked) return <Badge tone="gray">revoked</Badge>;
  return (
    <Button size="sm" variant="danger" onClick={onRevoke}>
      Revoke
    </Button>
  );
}
