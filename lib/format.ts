/** Formatting shared by the dashboard's tables and panels. */

/** "1h 02m", "3m 05s", "12s"; "" for missing or negative spans. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** A run's duration: start to end, or to `now` while it runs. */
export function runDuration(r: { startedAt: string | null; endedAt: string | null }, now: number): number | null {
  if (!r.startedAt) return null;
  // Clamped: a live "started" event can carry a clock a moment ahead of the ticking `now`.
  return Math.max(0, (r.endedAt ? Date.parse(r.endedAt) : now) - Date.parse(r.startedAt));
}

/** "2026-11-25 18:12" in the viewer's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "5m ago", "3h ago", "2d ago". */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return "";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A metric value at a glance: 4 significant digits, exponent for tiny or huge values. */
export function formatValue(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** A config value as one line of text. */
export function formatConfigValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatValue(v);
  return JSON.stringify(v);
}
