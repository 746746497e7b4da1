import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { Panel } from "@/components/ui/panel";
import { formatDateTime } from "@/lib/browser/format";
import { pageViewer } from "@/lib/server/auth/page-access";
import { listWorkers, type WorkerSummary } from "@/lib/server/workers/registry";

export const metadata = { title: "Workers · Inkstone" };

const TONES = { online: "green", offline: "red", revoked: "gray", "never connected": "gray" } as const;

const COLUMNS: Column<WorkerSummary>[] = [
  { header: "Name", cell: (w) => w.name },
  { header: "State", cell: (w) => <Badge tone={TONES[w.state]}>{w.state}</Badge> },
  {
    header: "Host",
    cell: (w) => (
      <>
        {w.hostname ?? <span className="muted">–</span>}
        {w.workDir ? <div className="muted small mono">{w.workDir}</div> : null}
      </>
    ),
  },
  { header: "GPUs", cell: (w) => <Gpus gpus={w.gpus} /> },
  {
    header: "Backend",
    cell: (w) => (
      <>
        {w.backend ?? <span className="muted">–</span>}
        {w.version ? <div className="muted small">v{w.version}</div> : null}
      </>
    ),
  },
  { header: "Current run", cell: (w) => <CurrentRuns current={w.current} /> },
  { header: "Last seen", cell: (w) => (w.lastSeenAt ? formatDateTime(w.lastSeenAt) : <span className="muted">never</span>) },
];

/** Remote GPU workers: state, GPUs with memory and utilisation at the last heartbeat, and the run each is on. */
export default async function WorkersPage() {
  await pageViewer({ next: "/workers" });
  const workers = await listWorkers();
  return (
    <main className="page stack">
      <div className="page-header">
        <h1>Workers</h1>
        <span className="muted">GPU hosts that take runs from the queue. Admins add and revoke them in Settings.</span>
      </div>
      <Panel title={`Workers (${workers.length})`}>
        {workers.length === 0 ? (
          <EmptyState title="No workers">
            Runs start on this server. To add a GPU host, create a worker token in <Link href="/settings">Settings</Link>.
          </EmptyState>
        ) : (
          <DataTable rows={workers} columns={COLUMNS} testId="workers-table" />
        )}
      </Panel>
    </main>
  );
}

function CurrentRuns({ current }: { current: WorkerSummary["current"] }) {
  if (!current.length) return <span className="muted">idle</span>;
  return (
    <>
      {current.map((c) => (
        <div key={c.runId}>
          <Link href={`/runs/${c.runId}`}>{c.runName}</Link> <span className="muted small">on {c.slot}</span>
        </div>
      ))}
    </>
  );
}

function Gpus({ gpus }: { gpus: WorkerSummary["gpus"] }) {
  if (!gpus.length) return <span className="muted">CPU only</span>;
  return (
    <>
      {gpus.map((g) => (
        <div key={g.index} className="small">
          {g.index}: {g.name}, {(g.memoryMiB / 1024).toFixed(0)} GiB{g.utilization === null ? "" : `, ${g.utilization}% busy`}
        </div>
      ))}
    </>
  );
}
