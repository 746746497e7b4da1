/**
 * The runs page keeps its whole state in the URL (project, search, status and
 * tag filters, sort, page, chosen config columns), so a link reproduces the view.
 */
export interface RunsView {
  project?: string;
  q?: string;
  status: string[];
  tag?: string;
  sort?: string;
  order?: "asc" | "desc";
  page: number;
  pageSize: number;
  /** Config keys shown as columns. */
  cols: string[];
  /** The metric whose last and lowest values are shown and sortable; train_loss when unset. */
  metric?: string;
}

export const DEFAULT_PAGE_SIZE = 50;

export function readRunsView(params: URLSearchParams): RunsView {
  const list = (name: string) =>
    params
      .getAll(name)
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
  const order = params.get("order");
  const page = Number(params.get("page"));
  const pageSize = Number(params.get("pageSize"));
  return {
    project: params.get("project") || undefined,
    q: params.get("q") || undefined,
    status: list("status"),
    tag: params.get("tag") || undefined,
    sort: params.get("sort") || undefined,
    order: order === "asc" || order === "desc" ? order : undefined,
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: Number.isInteger(pageSize) && pageSize > 0 && pageSize <= 500 ? pageSize : DEFAULT_PAGE_SIZE,
    cols: list("cols").slice(0, 20),
    metric: params.get("metric") || undefined,
  };
}

/** The query string for a view; defaults are left out so URLs stay short. */
export function runsViewQuery(v: RunsView): string {
  const p = new URLSearchParams();
  if (v.project) p.set("project", v.project);
  if (v.q) p.set("q", v.q);
  if (v.status.length) p.set("status", v.status.join(","));
  if (v.tag) p.set("tag", v.tag);
  if (v.sort) p.set("sort", v.sort);
  if (v.order) p.set("order", v.order);
  if (v.page > 1) p.set("page", String(v.page));
  if (v.pageSize !== DEFAULT_PAGE_SIZE) p.set("pageSize", String(v.pageSize));
  if (v.cols.length) p.set("cols", v.cols.join(","));
  if (v.metric) p.set("metric", v.metric);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** Search params of a server page (Next hands them as a record) as URLSearchParams. */
export function toSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(record)) {
    for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) p.append(k, item);
  }
  return p;
}
