import { runEditorRoute } from "@/lib/http/ingest-route";
import { launchInfo } from "@/lib/launcher/launch-run";

/** How a run started from the form is doing on this machine: slot, queue position, exit code. null when not launched here. */
export const GET = runEditorRoute(async ({ id }) => launchInfo(id));
