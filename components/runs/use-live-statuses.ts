"use client";
import { useEffect, useState } from "react";
import { io } from "socket.io-client";
import type { LiveEvents, RunStatus } from "@/lib/protocol/wire";

export type StatusChange = Parameters<LiveEvents["status"]>[0] & { at: number };

/** Status changes of every run, pushed over /live while the page is open. */
export function useLiveStatuses(): Map<string, StatusChange> {
  const [changes, setChanges] = useState<Map<string, StatusChange>>(() => new Map());
  useEffect(() => {
    const socket = io("/live", { transports: ["websocket", "polling"] });
    const subscribe = () => socket.emit("subscribe", { runId: "runs" }, () => {});
    socket.on("connect", subscribe);
    socket.on("status", (e: { runId: string; status: RunStatus; endedAt: string | null; error: string | null }) => {
      setChanges((prev) => new Map(prev).set(e.runId, { ...e, at: Date.now() }));
    });
    return () => {
      socket.disconnect();
    };
  }, []);
  return changes;
}
