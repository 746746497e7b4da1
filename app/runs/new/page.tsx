import { NewRunForm } from "@/components/launch/new-run-form";
import { PRESETS, PRESET_IDS, defaultPreset } from "@/lib/server/launcher/run-form";
import { hasGpu } from "@/lib/server/launcher/slots";
import { pageViewer } from "@/lib/server/auth/page-access";
import { listWorkers } from "@/lib/server/workers/registry";

export const metadata = { title: "New run · Inkstone" };

export default async function NewRunPage() {
  await pageViewer({ next: "/runs/new" });
  const gpu = hasGpu();
  const presets = PRESET_IDS.map((id) => ({ id, ...PRESETS[id] }));
  const workers = (await listWorkers()).filter((w) => w.state !== "revoked");
  const places = [
    { value: "server", label: `This server (${gpu ? "GPU" : "CPU"})` },
    ...(workers.length
      ? [
          { value: "any_worker", label: "Any worker" },
          ...workers.map((w) => ({ value: `worker:${w.id}`, label: `Worker ${w.name} (${w.state}${w.gpus.length ? `, ${w.gpus.length} GPU${w.gpus.length > 1 ? "s" : ""}` : ""})` })),
        ]
      : []),
  ];
  return (
    <main className="page" style={{ maxWidth: 1100 }}>
      <div className="page-header">
        <h1>New run</h1>
        <span className="muted">
          Trains on this server ({gpu ? "GPU" : "no GPU found: CPU"}) or on a worker, and streams everything to its run page.
        </span>
      </div>
      <NewRunForm presets={presets} initialPreset={defaultPreset(gpu)} places={places} />
    </main>
  );
}
