/**
 * Fan-out to browsers: socket.io namespace `/live`, one room per run. The
 * server process attaches the io instance; route handlers in Next's bundles
 * reach it through globalThis.
 */
import type { Server } from "socket.io";
import type { LiveEvents } from "./protocol";

const holder = globalThis as unknown as { __inkstoneIo?: Server };

export function setLiveServer(io: Server | undefined): void {
  holder.__inkstoneIo = io;
}

export function runRoom(runId: string): string {
  return `run:${runId}`;
}

export function publish<E extends keyof LiveEvents>(event: E, payload: Parameters<LiveEvents[E]>[0]): void {
  holder.__inkstoneIo?.of("/live").to(runRoom(payload.runId)).emit(event, payload);
  // The runs table listens for status changes of every run.
  if (event === "status") holder.__inkstoneIo?.of("/live").to("runs").emit(event, payload);
}
