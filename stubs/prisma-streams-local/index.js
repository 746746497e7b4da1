// Only `prisma dev` (a local Prisma Postgres) loads the real package, which needs Node 22.
export async function startLocalDurableStreamsServer() {
  throw new Error("`prisma dev` is not available in Inkstone: its streams server (@prisma/streams-local) needs Node 22 and is not installed. Inkstone runs PostgreSQL itself (npm start).");
}
