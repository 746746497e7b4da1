import { NewRunForm } from "@/components/launch/new-run-form";
import { LR_SCHEDULERS, PRESETS, PRESET_IDS, defaultPreset } from "@/lib/launcher/run-form";
import { hasGpu } from "@/lib/launcher/slots";
import { pageViewer } from "@/lib/page-access";

export const metadata = { title: "New run · Inkstone" };

export default async function NewRunPage() {
  await pageViewer({ next: "/runs/new" });
  const gpu = hasGpu();
  const presets = PRESET_IDS.map((id) => ({ id, ...PRESETS[id] }));
  return (
    <main className="page" style={{ maxWidth: 1100 }}>
      <div className="page-header">
        <h1>New run</h1>
        <span className="muted">Trains on this machine ({gpu ? "GPU" : "no GPU found: CPU"}) and streams everything to its run page.</span>
      </div>
      <NewRunForm presets={presets} initialPreset={defaultPreset(gpu)} lrSchedulers={LR_SCHEDULERS} />
    </main>
  );
}
