/**
 * Bulk writes for imports, beside deadline-bulk.ts's bulkInsert (rows as ONE JSON parameter; SQLite import
 * batches are written through the driver instead, store/sqlite-incident-batch.ts):
 *
 * - `bulkUpdate`: by primary key, one statement per chunk, the rows as one JSON parameter (SQLite json_each
 *   with UPDATE … FROM, PostgreSQL json_to_recordset), so a thousand changed rows are one round trip.
 * - `orderedIds`: primary keys that grow within a process (time, then a counter), so a batch's rows land at
 *   the end of the primary-key index instead of at random pages (random UUIDs cost ~35% more on SQLite).
 *
 * Values are stored exactly as Prisma stores them (deadline-bulk.ts: timestamps as Prisma's SQLite text form,
 * PostgreSQL timestamp(3) in UTC).
 */
import { randomBytes } from 'node:crypto';
import type { Db, Provider } from './db.ts';
import { type BulkColumn, sqliteTimestamp } from './deadline-bulk.ts';

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

function sqlFor(provider: Provider, table: string, key: string, cols: BulkColumn[]): string {
  if (provider === 'sqlite') {
    const set = cols.map((c) => `${q(c.name)} = x.${q(c.name)}`).join(', ');
    const values = [key, ...cols.map((c) => c.name)].map((n) => `value ->> '$.${n}' AS ${q(n)}`).join(', ');
    return `UPDATE ${q(table)} SET ${set} FROM (SELECT ${values} FROM json_each(?)) AS x WHERE ${q(table)}.${q(key)} = x.${q(key)}`;
  }
  const pgType = (c: BulkColumn) =>
    c.type === 'json' ? 'json' : c.type === 'int' ? 'bigint' : c.type === 'bool' ? 'boolean' : 'text';
  const cast = (c: BulkColumn) => {
    const col = `x.${q(c.name)}`;
    if (c.type === 'timestamp') return `${col}::timestamp(3)`;
    if (c.type === 'json') return `${col}::jsonb`;
    if (c.type === 'enum') return `${col}::${q(c.enumName)}`;
    return col;
  };
  const set = cols.map((c) => `${q(c.name)} = ${cast(c)}`).join(', ');
  const record = [`${q(key)} text`, ...cols.map((c) => `${q(c.name)} ${pgType(c)}`)].join(', ');
  return `UPDATE ${q(table)} AS t SET ${set} FROM json_to_recordset($1::json) AS x(${record}) WHERE t.${q(key)} = x.${q(key)}`;
}

/**
 * Set `cols` of the rows of `table` whose `key` column (text) matches each row's `key` field. Timestamps may
 * be given as Date; every other value as stored. Returns the number of rows updated.
 */
export async function bulkUpdate(
  db: Db,
  provider: Provider,
  table: string,
  key: string,
  cols: BulkColumn[],
  rows: Record<string, unknown>[],
  chunk = 2000,
): Promise<number> {
  if (rows.length === 0) return 0;
  const sql = sqlFor(provider, table, key, cols);
  const stamps = cols.filter((c) => c.type === 'timestamp').map((c) => c.name);
  const bools = provider === 'sqlite' ? cols.filter((c) => c.type === 'bool').map((c) => c.name) : [];
  let n = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk).map((row) => {
      const r = { ...row };
      for (const s of stamps) {
        const v = r[s];
        if (v instanceof Date) r[s] = provider === 'sqlite' ? sqliteTimestamp(v) : v.toISOString();
      }
      for (const b of bools) if (typeof r[b] === 'boolean') r[b] = r[b] ? 1 : 0;
      return r;
    });
    n += await db.$executeRawUnsafe(sql, JSON.stringify(part));
  }
  return n;
}

const PROCESS_TAG = randomBytes(5).toString('hex');
let idCounter = 0;

/**
 * `n` new primary keys, increasing within this process: "c", the time in base 36, a random tag of this
 * process, a counter. Unique across processes by the tag (40 random bits), within one by the counter.
 */
export function orderedIds(n: number): string[] {
  const prefix = `c${Date.now().toString(36)}${PROCESS_TAG}`;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = prefix + (idCounter++ % 2_176_782_336).toString(36).padStart(6, '0');
  return out;
}
