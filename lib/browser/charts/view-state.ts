/**
 * The state of the run and compare views, carried in the URL so that a link
 * reproduces what its sender saw. Parsing is forgiving (an unknown value falls
 * back to the default); serializing leaves defaults out so URLs stay short.
 */

export const RUN_TABS = ["overview", "charts", "images", "logs"] as const;
export type RunTab = (typeof RUN_TABS)[number];
export const COMPARE_TABS = ["charts", "config", "images"] as const;
export type CompareTab = (typeof COMPARE_TABS)[number];
export const X_AXES = ["step", "relative", "wall"] as const;
export type XAxis = (typeof X_AXES)[number];

export interface ChartState {
  /** Substring filter over metric keys, or one exact key to show alone. */
  metric: string;
  /** Time-weighted EMA strength in [0, 0.99]. */
  smoothing: number;
  x: XAxis;
  log: boolean;
  /** Selected validation epoch in the image grids; null = the latest. */
  epoch: number | null;
  /** The image series shown; "" = the default (the validation grid). */
  images: string;
  /** Substring filter over the image grids' prompts. */
  prompt: string;
}

export interface RunViewState extends ChartState {
  tab: RunTab;
  /** Log search. */
  q: string;
}

/** More runs than this on one compare page would make the charts unreadable (and the page slow). */
export const MAX_COMPARE_RUNS = 20;

export interface CompareViewState extends ChartState {
  runs: string[];
  tab: CompareTab;
  /** Config table shows only keys whose values differ. */
  diff: boolean;
}

/**
 * The time-weighted EMA's window is a fixed share of a series' x range (see
 * smoothing.ts), so one default smooths a 20-point run and a 100k-step run
 * alike: at 0.97 its time constant is about 6.6% of the range, under a point's
 * spacing only for runs of fewer than ~15 points. (At 0.6 it was 0.4%: no
 * visible smoothing below a few hundred points.)
 */
export const DEFAULT_SMOOTHING = 0.97;

type Params = { get(name: string): string | null };

function pick<T extends string>(allowed: readonly T[], raw: string | null, fallback: T): T {
  return allowed.includes(raw as T) ? (raw as T) : fallback;
}

function parseChartState(p: Params): ChartState {
  const smoothing = Number(p.get("smoothing"));
  const epoch = Number(p.get("epoch"));
  return {
    metric: p.get("metric") ?? "",
    smoothing: p.get("smoothing") !== null && Number.isFinite(smoothing) ? Math.min(0.99, Math.max(0, smoothing)) : DEFAULT_SMOOTHING,
    x: pick(X_AXES, p.get("x"), "step"),
    log: p.get("log") === "1",
    epoch: p.get("epoch") !== null && p.get("epoch") !== "" && Number.isInteger(epoch) ? epoch : null,
    images: p.get("images") ?? "",
    prompt: p.get("prompt") ?? "",
  };
}

export function parseRunViewState(p: Params): RunViewState {
  return { ...parseChartState(p), tab: pick(RUN_TABS, p.get("tab"), "overview"), q: p.get("q") ?? "" };
}

export function parseCompareViewState(p: Params): CompareViewState {
  const runs = (p.get("runs") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ...parseChartState(p),
    runs: [...new Set(runs)],
    tab: pick(COMPARE_TABS, p.get("tab"), "charts"),
    diff: p.get("diff") === "1",
  };
}

function chartEntries(s: ChartState): [string, string][] {
  const out: [string, string][] = [];
  if (s.metric) out.push(["metric", s.metric]);
  if (s.smoothing !== DEFAULT_SMOOTHING) out.push(["smoothing", String(Math.round(s.smoothing * 100) / 100)]);
  if (s.x !== "step") out.push(["x", s.x]);
  if (s.log) out.push(["log", "1"]);
  if (s.epoch !== null) out.push(["epoch", String(s.epoch)]);
  if (s.images) out.push(["images", s.images]);
  if (s.prompt) out.push(["prompt", s.prompt]);
  return out;
}

/** The query string of a run view; `share` is kept so a public link stays public. */
export function runViewQuery(s: RunViewState, share?: string | null): string {
  const entries: [string, string][] = [];
  if (share) entries.push(["share", share]);
  if (s.tab !== "overview") entries.push(["tab", s.tab]);
  entries.push(...chartEntries(s));
  if (s.q) entries.push(["q", s.q]);
  return toQuery(entries);
}

export function compareViewQuery(s: CompareViewState): string {
  const entries: [string, string][] = [["runs", s.runs.join(",")]];
  if (s.tab !== "charts") entries.push(["tab", s.tab]);
  entries.push(...chartEntries(s));
  if (s.diff) entries.push(["diff", "1"]);
  return toQuery(entries);
}

function toQuery(entries: [string, string][]): string {
  if (!entries.length) return "";
  // Commas in run lists stay readable.
  return "?" + new URLSearchParams(entries).toString().replace(/%2C/g, ",");
}
