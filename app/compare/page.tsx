/** /compare?runs=a,b,...&tab=&metric=&smoothing=&x=&log=&epoch=&diff= */
import type { Metadata } from "next";
import Link from "next/link";
import { pageViewer } from "@/lib/server/auth/page-access";
import { loadComparePage } from "@/lib/server/dashboard/run-view-data";
import { initialSeriesUrl } from "@/lib/server/dashboard/initial-series";
import { MAX_COMPARE_RUNS, parseCompareViewState } from "@/lib/browser/charts/view-state";
import { CompareView } from "@/components/compare/compare-view";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Compare runs · Inkstone" };


export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) query.set(k, Array.isArray(v) ? v.join(",") : v);
  await pageViewer({ next: `/compare?${query}` });
  const state = parseCompareViewState(query);
  if (state.runs.length === 0) {
    return (
      <main className="page">
      <EmptyState title="Pick runs to compare" action={<Link href="/">Go to the runs table</Link>}>
        Tick two or more runs in the runs table and press Compare, or open /compare?runs=&lt;id&gt;,&lt;id&gt;.
      </EmptyState>
      </main>
    );
  }
  const ids = state.runs.slice(0, MAX_COMPARE_RUNS);
  // As on the run page, the first charts' series load alongside the page's scripts.
  const seriesUrl = state.tab === "charts" && !state.metric ? initialSeriesUrl(ids, null) : null;
  const { runs, missing } = await loadComparePage(ids);
  if (!runs.length) {
    return (
      <main className="page">
      <EmptyState title="None of these runs exists" action={<Link href="/">Go to the runs table</Link>}>
        Unknown run ids: {missing.join(", ")}.
      </EmptyState>
      </main>
    );
  }
  return (
    <main className="page">
      {seriesUrl && <link rel="preload" href={seriesUrl} as="fetch" crossOrigin="anonymous" />}
      {state.runs.length > MAX_COMPARE_RUNS && <ErrorBanner error={`Showing the first ${MAX_COMPARE_RUNS} of ${state.runs.length} runs.`} />}
      <CompareView runs={runs} missing={missing} initialSeriesUrl={seriesUrl} initialState={{ ...state, runs: ids }} />
    </main>
  );
}
