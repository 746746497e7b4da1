import { runEditorRoute } from "@/lib/server/http/ingest-route";
import { cancelLaunch } from "@/lib/server/launcher/launch-run";

/** Cancels a run started from the form: queued -> cancelled now; running -> SIGTERM, cancelled when it exits. */
export const POST = runEditorRoute(async ({ id }) => cancelLaunch(id));
