import { RunsTable } from "@/components/runs/runs-table";
import { ErrorBanner } from "@/components/ui/error-banner";
import { ClientError } from "@/lib/server/http/errors";
import { listProjects, listTags } from "@/lib/server/runs/facets";
import { readRunsView, runsViewQuery, toSearchParams } from "@/lib/browser/runs-list-url";
import { listRuns, parseRunListQuery } from "@/lib/server/runs/queries";
import { pageViewer } from "@/lib/server/auth/page-access";

export const metadata = { title: "Runs · Inkstone" };

/** The runs page: rendered on the server from the URL's state, one page of rows at a time. */
export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = toSearchParams(await searchParams);
  await pageViewer({ next: `/?${params.toString()}` });
  const view = readRunsView(params);
  let error: string | null = null;
  let query;
  try {
    query = parseRunListQuery(new URLSearchParams(runsViewQuery(view)));
  } catch (err) {
    if (!(err instanceof ClientError)) throw err;
    error = `Ignoring a bad filter in the URL: ${err.message}`;
    query = parseRunListQuery(new URLSearchParams());
  }
  const [result, projects, tags] = await Promise.all([listRuns(query), listProjects(), listTags()]);
  return (
    <main className="page">
      {error ? <ErrorBanner error={error} /> : null}
      <RunsTable view={view} result={result} projects={projects} tags={tags} />
    </main>
  );
}
