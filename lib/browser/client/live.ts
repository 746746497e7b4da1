"use client";
/**
 * Live updates from `/live`: one socket per page, subscribed to the runs it
 * shows. Handlers are read through a ref so callers may pass fresh closures on
 * every render without resubscribing.
 */
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { LiveEvents } from "@/lib/protocol/wire";

export type LiveHandlers = { [E in keyof LiveEvents]?: LiveEvents[E] } & {
  /** After every successful (re)subscription: events sent while unsubscribed were missed, so views catch up. */
  subscribed?: () => void;
};
export type LiveState = "connecting" | "live" | "offline" | "refused";

export function useLive(runIds: readonly string[], share: string | null | undefined, handlers: LiveHandlers): { state: LiveState; error: string | null } {
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
