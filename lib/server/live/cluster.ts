/**
 * Several instances behind a balancer: with REDIS_URL set, socket.io's Redis
 * streams adapter carries every `/live` emit to the browsers connected to the
 * other instances. The streams adapter (not the pub/sub one) is the one that
 * supports socket.io's connection-state recovery across instances.
 */
import type { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import { readEnv } from "@/lib/config/env";

export interface LiveCluster {
  close(): Promise<void>;
}

/** Connects `io` to the other instances; resolves once Redis answers, so a wrong REDIS_URL fails the start. */
export async function joinLiveCluster(io: Server, redisUrl: string, log: (line: string) => void): Promise<LiveCluster> {
  let connected = false;
  const client = createClient({
    url: redisUrl,
    // At start, an unreachable Redis fails the start with its reason. Later, an outage must not take
    // the server down: the client reconnects and the adapter resumes its stream.
    socket: { reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 5000) : cause) },
  });
  client.on("error", (err: Error) => connected && log(`inkstone: redis: ${err.message}`));
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`REDIS_URL: cannot connect to ${redisUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
  connected = true;
  // Instances agree on the stream's name; a deployment sharing one Redis with another sets its own.
  const streamName = readEnv("INKSTONE_REDIS_STREAM");
  io.adapter(createAdapter(client, { streamName, channelPrefix: streamName, sessionKeyPrefix: `${streamName}:session:` }));
  log(`inkstone: live updates shared through Redis stream "${streamName}"`);
  return {
    async close() {
      await client.quit().catch(() => client.destroy());
    },
  };
}
