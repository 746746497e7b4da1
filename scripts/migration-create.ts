/**
 * `npm run db:migration -- <name>`: writes the SQL that takes the existing
 * migrations to prisma/schema.prisma, offline, in Prisma's layout.
 */
import { connectDatabase } from "../lib/db/connect";
import { createMigration } from "../lib/db/migrations";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name>   (lower-case letters, digits and _)");
  process.exit(2);
}
const db = await connectDatabase();
try {
  const dir = await createMigration(db.url, name);
  console.log(dir ? `wrote ${dir}/migration.sql` : "schema.prisma matches the migrations: nothing to write");
} finally {
  await db.stop();
}
