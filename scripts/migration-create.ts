/**
 * `npm run db:migration -- <name>`: writes the SQL that takes the existing
 * migrations to prisma/schema.prisma, offline, in Prisma's layout.
 */
import { ArgumentParser, ArgumentTypeError } from "argparse";
import { connectDatabase } from "../lib/server/db/connect";
import { createMigration } from "../lib/server/db/migrations";

/** An argparse `type`: Prisma's folder names are <timestamp>_<name>. */
function migrationName(raw: string): string {
  if (!/^[a-z0-9_]+$/.test(raw)) throw new ArgumentTypeError(`use lower-case letters, digits and _, got '${raw}'`);
  return raw;
}

const parser = new ArgumentParser({ prog: "npm run db:migration --", description: "Writes the SQL that takes the migrations to prisma/schema.prisma." });
parser.add_argument("name", { type: migrationName, help: "The migration's name (lower-case letters, digits and _)." });
const { name } = parser.parse_args() as { name: string };
const db = await connectDatabase();
try {
  const dir = await createMigration(db.url, name);
  console.log(dir ? `wrote ${dir}/migration.sql` : "schema.prisma matches the migrations: nothing to write");
} finally {
  await db.stop();
}
