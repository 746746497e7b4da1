/**
 * The driver adapter handed to Prisma's WebAssembly schema engine.
 *
 * The engine describes a database by reading pg_catalog, whose `"char"`
 * columns (OID 18) adapter-pg 7 does not map: introspection fails with
 * "Column type 'char' could not be deserialized", and the engine expects such
 * values typed as Character. This adapter reports those columns as text to
 * adapter-pg and then as Character to the engine.
 */
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { ColumnTypeEnum, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory, type SqlQueryable } from "@prisma/driver-adapter-utils";

const PG_CHAR = 18;
const PG_TEXT = 25;

export function schemaEngineAdapterFactory(connectionString: string): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
} {
  // Which columns of a result were "char", keyed by the result's rows array, which adapter-pg passes through.
  const charColumns = new WeakMap<unknown[], number[]>();
  const relabel = (result: pg.QueryResult) => {
    const cols: number[] = [];
    result?.fields?.forEach((f, i) => {
      if (f.dataTypeID === PG_CHAR) {
        f.dataTypeID = PG_TEXT;
        cols.push(i);
      }
    });
    if (cols.length) charColumns.set(result.rows, cols);
    return result;
  };

  const pool = new pg.Pool({ connectionString, max: 2 });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      // pg.Pool#query passes a callback; direct callers get a promise.
      const last = args.at(-1);
      if (typeof last === "function") {
        args[args.length - 1] = (err: Error | null, res: pg.QueryResult) => last(err, res && relabel(res));
      }
      const out = query(...args);
      return out instanceof Promise ? out.then(relabel) : out;
    };
  });

  const retype = <T extends SqlQueryable>(q: T): T => {
    const queryRaw = q.queryRaw.bind(q);
    q.queryRaw = async (query) => {
      const result = await queryRaw(query);
      for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
      return result;
    };
    return q;
  };
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (...args) => retype(await startTransaction(...args));
    return retype(adapter);
  };

  const base = new PrismaPg(pool);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => wrap(await base.connect()),
    connectToShadowDb: async () => wrap(await base.connectToShadowDb()),
  };
  return { factory, close: () => pool.end() };
}
