/**
 * A run's page: /runs/<id>?tab=&metric=&smoothing=&x=&log=&epoch=&q=, and
 * with ?share=<token> the public read-only view of a share link.
 */
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ClientError } from "@/lib/server/http/errors";
import { pageViewer } from "@/lib/server/auth/page-access";
import { loadRunPage } from "@/lib/server/dashboard/run-view-data";
import { publicRunDetails } from "@/lib/server/share/public-view";
import { initialSeriesUrl } from "@/lib/server/dashboard/initial-series";
import { parseRunViewState } from "@/lib/browser/charts/view-state";
import { RunView } from "@/components/run/run-view";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

function searchParamsOf(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) p.set(k, Array.isArray(v) ? v[0] : v);
  return p;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Run ${id} · Inkstone` };
}

export default async function RunPage({ params, searchParams }: Props) {
  const { id } = await params;
  const query = searchParamsOf(await searchParams);
  const share = query.get("share");
  const viewer = await pageViewer({ runId: id, share: share ?? undefined, next: `/runs/${id}?${query}` });
  const readOnly = viewer.kind === "share";
  const state = parseRunViewState(query);
  // The first charts' series load alongside the page's scripts when the charts tab opens first with every chart.
  const seriesUrl = state.tab === "charts" && !state.metric ? initialSeriesUrl([id], readOnly ? share : null) : null;
  const data = await loadRunPage(id).catch((err: unknown) => {
    if (err instanceof ClientError && err.status === 404) notFound();
    throw err;
  });
  return (
    <main className="page">
      {seriesUrl && <link rel="preload" href={seriesUrl} as="fetch" crossOrigin="anonymous" />}
      <RunView data={readOnly ? { ...data, run: publicRunDetails(data.run) } : data} initialSeriesUrl={seriesUrl} initialState={state} share={readOnly ? share : null} editable={!readOnly} />
    </main>
  );
}
