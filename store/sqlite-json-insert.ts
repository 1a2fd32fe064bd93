/**
 * SQLite only: insert rows given as one JSON parameter, each row's object converted once to SQLite's binary
 * JSON (JSONB, SQLite 3.45+) in a materialised CTE, so the per-column `->>` reads a parsed row instead of
 * parsing the row's text again for every column (deadline-bulk.ts's form). Measured on 90,000 Meeting rows:
 * about 0.64x the time of the text form (bench/README.md, "ics-import"). Values as deadline-bulk.ts stores
 * them: Date as Prisma's SQLite text form, boolean as 0/1, null as NULL.
 */
import type { Db, Provider, Tx } from './db.ts';
import { type BulkColumn, bulkInsert, sqliteTimestamp } from './deadline-bulk.ts';

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlCache = new Map<string, string>();

function sqlFor(table: string, cols: string[]): string {
  const key = `${table}|${cols.join(',')}`;
  let sql = sqlCache.get(key);
  if (!sql) {
    const names = cols.map(q).join(', ');
    const values = cols.map((c) => `r ->> '$.${c}'`).join(', ');
    sql = `WITH rows(r) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(?)) INSERT INTO ${q(table)} (${names}) SELECT ${values} FROM rows`;
    sqlCache.set(key, sql);
  }
  return sql;
}

const stored = (v: unknown) =>
  v instanceof Date ? sqliteTimestamp(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v;

/** Insert `rows` into `table` (`chunk` rows per statement); returns the number inserted. */
export async function sqliteJsonInsert(
  db: Db | Tx,
  table: string,
  cols: string[],
  rows: Record<string, unknown>[],
  chunk = 500,
): Promise<number> {
  let n = 0;
  const sql = sqlFor(table, cols);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk).map((r) => {
      const o: Record<string, unknown> = {};
      for (const c of cols) o[c] = stored(r[c]);
      return o;
    });
    n += await db.$executeRawUnsafe(sql, JSON.stringify(part));
  }
  return n;
}

/** SQLite: sqliteJsonInsert; PostgreSQL: deadline-bulk.ts's bulkInsert (json_to_recordset). */
export function insertRows(
  db: Db | Tx,
  provider: Provider,
  table: string,
  cols: BulkColumn[],
  rows: Record<string, unknown>[],
  chunk = 500,
): Promise<number> {
  if (rows.length === 0) return Promise.resolve(0);
  if (provider === 'sqlite')
    return sqliteJsonInsert(
      db,
      table,
      cols.map((c) => c.name),
      rows,
      chunk,
    );
  return bulkInsert(db as Db, provider, table, cols, rows, chunk);
}
