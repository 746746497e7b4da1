"use client";
/**
 * Live updates of the runs a page shows (the run page, compare): one `/live`
 * socket subscribed to them, feeding a metric bus for the charts and keeping
 * each run's status and images. After every (re)subscription it catches up on
 * what was sent while unsubscribed (page render, a dropped connection): charts
 * resync through the bus and the images are read again. Views add their own
 * handlers (log lines, details) through `extra`, read through a ref so callers
 * may pass fresh closures on every render without resubscribing.
 */
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { LiveEvents, LiveImage } from "@/lib/protocol/wire";
import { MetricBus } from "@/lib/browser/charts/metric-bus";
import { apiFetch, errorText } from "./api";

export type LiveHandlers = { [E in keyof LiveEvents]?: LiveEvents[E] } & {
  /** After every successful (re)subscription: events sent while unsubscribed were missed, so views catch up. */
  subscribed?: () => void;
};
export type LiveState = "connecting" | "live" | "offline" | "refused";
export type LiveStatus = Omit<Parameters<LiveEvents["status"]>[0], "runId">;

/** What a view knows of a run when it renders (the run and compare pages' data). */
export interface LiveRunInit {
  run: LiveStatus & { id: string };
  images: LiveImage[];
  /** The metrics logged so far. */
  metrics: { key: string }[];
}

export interface LiveRuns {
  state: LiveState;
  /** Why live updates are offline or refused. */
  error: string | null;
  /** Live metric points, by (run, key), for the charts. */
  bus: MetricBus;
  /** Every metric key of the runs, new ones added as they are first logged. */
  keys: string[];
  statuses: Record<string, LiveStatus>;
  images: Record<string, LiveImage[]>;
  /** The last catch-up read that failed; views add theirs with setCatchUpError. */
  catchUpError: string | null;
  setCatchUpError: (message: string | null) => void;
}

export function useLiveRuns(runs: readonly LiveRunInit[], share: string | null, extra: LiveHandlers = {}): LiveRuns {
  const bus = useRef(new MetricBus()).current;
  const [keys, setKeys] = useState(() => [...new Set(runs.flatMap((r) => r.metrics.map((m) => m.key)))]);
  const [statuses, setStatuses] = useState(() =>
    Object.fromEntries(runs.map(({ run }): [string, LiveStatus] => [run.id, { status: run.status, endedAt: run.endedAt, error: run.error }])),
  );
  const [images, setImages] = useState(() => Object.fromEntries(runs.map((r) => [r.run.id, r.images])));
  const [catchUpError, setCatchUpError] = useState<string | null>(null);
  const ids = runs.map((r) => r.run.id);

  const addImage = (runId: string, image: LiveImage) =>
    setImages((prev) => ((prev[runId] ?? []).some((i) => i.id === image.id) ? prev : { ...prev, [runId]: [...(prev[runId] ?? []), image] }));
  const { state, error } = useLiveSocket(ids, share, {
    ...extra,
    subscribed: () => {
      bus.resync();
      for (const runId of ids) {
        apiFetch<LiveImage[]>(`/api/runs/${runId}/images`, { share }).then(
          (all) => setImages((prev) => (all.length === prev[runId]?.length ? prev : { ...prev, [runId]: all })),
          (err: unknown) => setCatchUpError(`could not refresh the images: ${errorText(err)}`),
        );
      }
      extra.subscribed?.();
    },
    metrics: (e) => {
      const fresh = bus.publish(e.runId, e.points);
      // A metric logged for the first time gets its chart without a reload.
      setKeys((prev) => (fresh.every((k) => prev.includes(k)) ? prev : [...new Set([...prev, ...fresh])]));
      extra.metrics?.(e);
    },
    image: (e) => {
      addImage(e.runId, e.image);
      extra.image?.(e);
    },
    status: (e) => {
      const { runId, ...status } = e;
      setStatuses((prev) => ({ ...prev, [runId]: status }));
      extra.status?.(e);
    },
  });
  return { state, error, bus, keys, statuses, images, catchUpError, setCatchUpError };
}

/** The `/live` socket itself: subscribes to the runs, and hands each event to the current handlers. */
function useLiveSocket(runIds: readonly string[], share: string | null, handlers: LiveHandlers): { state: LiveState; error: string | null } {
  const ref = useRef(handlers);
  ref.current = handlers;
  const [state, setState] = useState<LiveState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const key = runIds.join(",");

  useEffect(() => {
    const ids = key.split(",").filter(Boolean);
    const socket: Socket = io("/live", { transports: ["websocket"] });
    const subscribe = () => {
      let refused: string | null = null;
      let pending = ids.length;
      for (const runId of ids) {
        socket.emit("subscribe", { runId, share: share ?? undefined }, (ack: { ok: boolean; error?: string }) => {
          if (!ack?.ok) refused = ack?.error ?? "subscription refused";
          if (--pending === 0) {
            setState(refused ? "refused" : "live");
            setError(refused);
            if (!refused) ref.current.subscribed?.();
          }
        });
      }
    };
    socket.on("connect", subscribe);
    socket.on("disconnect", () => setState("offline"));
    socket.on("connect_error", (err) => {
      setState("offline");
      setError(`live updates unavailable: ${err.message}`);
    });
    for (const event of ["metrics", "image", "logs", "status"] as const) {
      socket.on(event, (payload: unknown) => {
        (ref.current[event] as ((p: unknown) => void) | undefined)?.(payload);
      });
    }
    return () => {
      socket.disconnect();
    };
  }, [key, share]);

  return { state, error };
}
