/**
 * Fan-out to browsers: socket.io namespace `/live`, one room per run. The
 * server process attaches the io instance; route handlers in Next's bundles
 * reach it through globalThis. With several instances (REDIS_URL), the
 * adapter carries each emit to the browsers connected to the others.
 */
import type { Server } from "socket.io";
import type { LiveEvents } from "../../protocol/wire";

const holder = globalThis as unknown as { __inkstoneIo?: Server; __inkstoneIoClustered?: boolean };

export function setLiveServer(io: Server | undefined, opts: { clustered?: boolean } = {}): void {
  holder.__inkstoneIo = io;
  holder.__inkstoneIoClustered = opts.clustered ?? false;
}

export function runRoom(runId: string): string {
  return `run:${runId}`;
}

export function publish<E extends keyof LiveEvents>(event: E, payload: Parameters<LiveEvents[E]>[0]): void {
  const live = holder.__inkstoneIo?.of("/live");
  if (!live) return;
  // The runs table listens for status changes of every run.
  const rooms = [runRoom(payload.runId), ...(event === "status" ? ["runs"] : [])];
  // Serialising a large batch costs CPU; alone, skip it when nobody here is watching.
  // In a cluster the watchers may be on another instance, which only the adapter knows.
  const watched = holder.__inkstoneIoClustered ? rooms : rooms.filter((r) => (live.adapter.rooms.get(r)?.size ?? 0) > 0);
  if (watched.length) live.to(watched).emit(event, payload);
}

/** What a `/live` socket that subscribed through share links holds: run id -> the link's token hash. */
export type ShareGrants = Map<string, string>;

/** Disconnects the `/live` sockets following this run through the share link with this token hash (it was revoked). */
export function dropShareSubscribers(runId: string, tokenHash: string): void {
  const live = holder.__inkstoneIo?.of("/live");
  const members = live?.adapter.rooms.get(runRoom(runId));
  if (!live || !members) return;
  for (const id of [...members]) {
    const socket = live.sockets.get(id);
    if ((socket?.data.shareGrants as ShareGrants | undefined)?.get(runId) === tokenHash) socket!.disconnect(true);
  }
}
