/**
 * One batch of an incident import on SQLite, through better-sqlite3 directly (the driver under Prisma's
 * adapter): prepared statements, one row a `run()`, in one `BEGIN IMMEDIATE` transaction, the work the floor
 * of issue 18 does (bench/README.md "Import"). Prisma's raw queries cost ~60 µs a row more here (each
 * statement's parameters cross its WebAssembly query compiler) and grow its WebAssembly memory, which never
 * shrinks, with the largest statement.
 *
 * Its own connection, opened per batch (~1 ms) and closed after it, so nothing is left open when an import
 * fails. The whole transaction is synchronous: no other code of this process runs while it holds the write
 * lock. Its busy timeout is 0 and a locked database is retried after a pause (`await`), because a
 * Prisma transaction of this same process (the hub's, when the drop folder imports) may hold the lock and
 * can only finish if this process's event loop turns; a 30 s busy wait would block it.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_BUSY_TIMEOUT_MS, SQLITE_SMALL_CACHE_KB } from './db.ts';
import { sqliteTimestamp } from './deadline-bulk.ts';

export interface SqliteBatch {
  orgId: string;
  source: string;
  externalIds: string[];
  /** Given the stored (id, sourceHash) by externalId: the rows to insert and update, and the report rows. */
  plan(existing: Map<string, { id: string; sourceHash: string }>): {
    inserts: Record<string, unknown>[];
    updates: Record<string, unknown>[];
    rejections: Record<string, unknown>[];
    concernRows: Record<string, unknown>[];
  };
}

const q = (name: string) => `"${name}"`;
const insertSql = (table: string, cols: string[]) =>
  `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;

export function sqliteFile(url: string): string {
  return path.resolve(url.replace(/^file:/, '').split('?')[0] ?? '');
}

/**
 * A value as the driver binds it (Prisma's forms: timestamps as text, booleans as 0/1). Every row of a batch
 * has the batch's `now` twice (createdAt, updatedAt), and incidents share times: each instant's text is
 * made once a batch.
 */
function binder(): (v: unknown) => unknown {
  const texts = new Map<number, string>();
  return (v) => {
    if (v === undefined) return null;
    if (v instanceof Date) {
      const ms = v.getTime();
      let text = texts.get(ms);
      if (text === undefined) {
        text = sqliteTimestamp(v);
        texts.set(ms, text);
      }
      return text;
    }
    return typeof v === 'boolean' ? Number(v) : v;
  };
}

/** Pause between attempts at a locked database; the whole wait is bounded like the hub's busy timeout. */
const BUSY_PAUSE_MS = 20;

export async function writeSqliteBatch(
  url: string,
  batch: SqliteBatch,
  columns: { incident: string[]; update: string[]; rejection: string[]; concernRow: string[] },
): Promise<ReturnType<SqliteBatch['plan']>> {
  const conn = new Database(sqliteFile(url), { timeout: 0, fileMustExist: true });
  const value = binder();
  try {
    // As durable as the hub's own connections (store/db.ts): a commit is on disk when it returns, whichever
    // journal mode the file is in (better-sqlite3's default in WAL mode is NORMAL).
    conn.pragma('synchronous = FULL');
    // A batch's page cache bounded to SQLite's default 2 MB, not the driver's 16 MB: the connection opens
    // cold and lives for one batch, so a bigger cache saves no reads of another batch, and the pages a
    // batch's index inserts touch filled it (issue 18: ~9 MB more resident memory while a batch was
    // written at 250,000 rows; store/db.ts, SQLITE_SMALL_CACHE_KB).
    conn.pragma(`cache_size = -${SQLITE_SMALL_CACHE_KB}`);
    const existingSql =
      'SELECT "id", "externalId", "sourceHash" FROM "Incident" WHERE "orgId" = ? AND "source" = ? AND "externalId" IN (SELECT value FROM json_each(?))';
    const select = conn.prepare(existingSql);
    const ins = conn.prepare(insertSql('Incident', columns.incident));
    const upd = conn.prepare(
      `UPDATE "Incident" SET ${columns.update.map((c) => `${q(c)} = ?`).join(', ')} WHERE "id" = ?`,
    );
    const rej = conn.prepare(insertSql('ImportRejection', columns.rejection));
    const cr = conn.prepare(insertSql('ImportConcernRow', columns.concernRow));
    const run = conn.transaction(() => {
      const found = select.all(batch.orgId, batch.source, JSON.stringify(batch.externalIds)) as {
        id: string;
        externalId: string;
        sourceHash: string;
      }[];
      const p = batch.plan(new Map(found.map((f) => [f.externalId, f])));
      for (const r of p.inserts) ins.run(columns.incident.map((c) => value(r[c])));
      for (const r of p.updates) upd.run([...columns.update.map((c) => value(r[c])), r.id]);
      for (const r of p.rejections) rej.run(columns.rejection.map((c) => value(r[c])));
      for (const r of p.concernRows) cr.run(columns.concernRow.map((c) => value(r[c])));
      return p;
    });
    const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        return run.immediate();
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
      }
    }
  } finally {
    conn.close();
  }
}
