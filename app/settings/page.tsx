import { ApiKeysPanel } from "@/components/settings/api-keys-panel";
import { InvitesPanel } from "@/components/settings/invites-panel";
import { WorkersPanel } from "@/components/settings/workers-panel";
import { Panel } from "@/components/ui/panel";
import { Badge } from "@/components/ui/badge";
import { listUsers } from "@/lib/server/auth/accounts";
import { pageSessionUser } from "@/lib/server/auth/page-access";
import { formatDateTime } from "@/lib/browser/format";

export const metadata = { title: "Settings · Inkstone" };

export default async function SettingsPage() {
  const user = await pageSessionUser("/settings");
  const members = user.role === "admin" ? await listUsers() : [];
  return (
    <main className="page-narrow stack">
      <div className="page-header">
        <h1>Settings</h1>
        <span className="muted">
          {user.name} · {user.email} · {user.role}
        </span>
      </div>
      <ApiKeysPanel />
      {user.role === "admin" ? (
        <>
          <InvitesPanel />
          <WorkersPanel />
          <Panel title={`Members (${members.length})`}>
            <div className="table-wrap">
              <table className="table">
                <tbody>
                  {members.map((m) => (
                    <tr key={m.id}>
                      <td>{m.name}</td>
                      <td>{m.email}</td>
                      <td>
                        <Badge tone={m.role === "admin" ? "blue" : "gray"}>{m.role}</Badge>
                      </td>
                      <td className="muted">joined {formatDateTime(m.createdAt.toISOString())}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
        </>
      ) : null}
    </main>
  );
}
