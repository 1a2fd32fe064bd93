/**
 * Bulk inserts for the deadline planner's first tick (tens of thousands of deadlines and reminders at LA
 * scale) and the deadline benchmark's generated LA. One statement per chunk, with the rows passed as ONE
 * JSON parameter and unpacked by the database (SQLite json_each, PostgreSQL json_to_recordset): Prisma's
 * createMany spent about ten times the database's own insert time building per-row parameters.
 *
 * Columns are declared with their type so each provider stores exactly what Prisma would: timestamps as
 * Prisma's SQLite text form ("2027-03-01T08:30:00.000+00:00") or PostgreSQL timestamp(3) in UTC, enums
 * cast to their PostgreSQL type, Json as text (SQLite) or jsonb.
 */
import type { Db, Provider } from './db.ts';

export type BulkColumn =
  | { name: string; type: 'text' | 'int' | 'bool' | 'timestamp' | 'json' }
  | { name: string; type: 'enum'; enumName: string };

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Prisma's SQLite DateTime text form. */
export const sqliteTimestamp = (d: Date): string => d.toISOString().replace('Z', '+00:00');

/** The INSERT of `bulkInsert`: one statement whose one parameter is the rows as a JSON array. */
export function bulkInsertSql(provider: Provider, table: string, cols: BulkColumn[]): string {
  const names = cols.map((c) => q(c.name)).join(', ');
  if (provider === 'sqlite') {
    const values = cols.map((c) =>
      c.type === 'json' ? `json(value -> '$.${c.name}')` : `value ->> '$.${c.name}'`,
    );
    return `INSERT INTO ${q(table)} (${names}) SELECT ${values.join(', ')} FROM json_each(?)`;
  }
  const pgType = (c: BulkColumn) =>
    c.type === 'json' ? 'json' : c.type === 'int' ? 'bigint' : c.type === 'bool' ? 'boolean' : 'text';
  const values = cols.map((c) => {
    const col = `x.${q(c.name)}`;
    if (c.type === 'timestamp') return `${col}::timestamp(3)`;
    if (c.type === 'json') return `${col}::jsonb`;
    if (c.type === 'enum') return `${col}::${q(c.enumName)}`;
    return col;
  });
  const record = cols.map((c) => `${q(c.name)} ${pgType(c)}`).join(', ');
  return `INSERT INTO ${q(table)} (${names}) SELECT ${values.join(', ')} FROM json_to_recordset($1::json) AS x(${record})`;
}

/**
 * Insert `rows` into `table`, `chunk` rows per statement. Timestamps may be given as Date; every other
 * value as stored (null for NULL). Returns the number of rows inserted.
 */
export async function bulkInsert(
  db: Db,
  provider: Provider,
  table: string,
  cols: BulkColumn[],
  rows: Record<string, unknown>[],
  chunk = 5000,
): Promise<number> {
  if (rows.length === 0) return 0;
  const sql = bulkInsertSql(provider, table, cols);
  const stamps = cols.filter((c) => c.type === 'timestamp').map((c) => c.name);
  const bools = provider === 'sqlite' ? cols.filter((c) => c.type === 'bool').map((c) => c.name) : [];
  let n = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    if (stamps.length > 0 || bools.length > 0)
      for (let k = 0; k < part.length; k++) {
        const r = { ...part[k] };
        for (const s of stamps) {
          const v = r[s];
          if (v instanceof Date) r[s] = provider === 'sqlite' ? sqliteTimestamp(v) : v.toISOString();
        }
        for (const b of bools) if (typeof r[b] === 'boolean') r[b] = r[b] ? 1 : 0;
        part[k] = r;
      }
    n += await db.$executeRawUnsafe(sql, JSON.stringify(part));
  }
  return n;
}
