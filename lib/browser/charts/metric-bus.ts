/**
 * Routes live metric points to the charts that show them: the page feeds every
 * `metrics` event in, each chart listens to one (run, key) pair.
 */
import type { LiveMetricPoint } from "@/lib/protocol/schemas";
import { fromWireNumber } from "@/lib/protocol/wire";
import type { PlotPoint } from "./series-data";

/** A live point as a chart appends it: decoded, its wall time known. */
export type LivePoint = Required<Pick<PlotPoint, "step" | "value" | "time">>;

type Listener = (points: LivePoint[]) => void;

export class MetricBus {
  private listeners = new Map<string, Set<Listener>>();
  private resyncListeners = new Set<() => void>();

  on(runId: string, key: string, fn: Listener): () => void {
    const id = `${runId}\u0000${key}`;
    const set = this.listeners.get(id) ?? new Set();
    set.add(fn);
    this.listeners.set(id, set);
    return () => set.delete(fn);
  }

  /** Charts register to catch up after the live connection was (re)established. */
  onResync(fn: () => void): () => void {
    this.resyncListeners.add(fn);
    return () => this.resyncListeners.delete(fn);
  }

  resync(): void {
    for (const fn of this.resyncListeners) fn();
  }

  /** Hands each chart its points; returns the keys in the batch so views can add charts for new metrics. */
  publish(runId: string, points: readonly LiveMetricPoint[]): string[] {
    const byKey = new Map<string, LivePoint[]>();
    for (const p of points) {
      const list = byKey.get(p.key) ?? [];
      list.push({ step: p.step, value: fromWireNumber(p.value), time: Date.parse(p.time) });
      byKey.set(p.key, list);
    }
    for (const [key, list] of byKey) {
      list.sort((a, b) => a.step - b.step);
      for (const fn of this.listeners.get(`${runId}\u0000${key}`) ?? []) fn(list);
    }
    return [...byKey.keys()];
  }
}
