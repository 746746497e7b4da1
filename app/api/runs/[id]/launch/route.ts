import { runEditorRoute } from "@/lib/server/http/ingest-route";
import { launchInfo } from "@/lib/server/launcher/launch-run";

/** How a run started from the form is doing on this machine: slot, queue position, exit code. null when not launched here. */
export const GET = runEditorRoute(async ({ id }) => launchInfo(id));
