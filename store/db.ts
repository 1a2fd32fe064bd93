/**
 * The Prisma client factory: the only place that picks a provider. `file:` URLs get the SQLite client
 * (better-sqlite3 driver adapter), `postgres://` URLs the PostgreSQL client (pg driver adapter).
 * The app is typed against the SQLite client, the lowest common denominator (docs/prisma.md),
 * so code that compiles cannot use a PostgreSQL-only feature by accident.
 */
import fs from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Database from 'better-sqlite3';
import { PrismaClient as PgClient } from './generated/postgres/client.ts';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.ts';

export type Db = InstanceType<typeof SqliteClient>;
export type Tx = Omit<Db, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
export type Provider = 'sqlite' | 'postgres';

export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  throw new Error(`DATABASE_URL must start with file: or postgresql:// (got "${url.split(':')[0]}:")`);
}

export interface DbHandle {
  db: Db;
  provider: Provider;
  url: string;
  close(): Promise<void>;
}

/** How long a SQLite statement waits for another connection's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/**
 * SQLite in write-ahead-log mode (https://www.sqlite.org/wal.html). The driver is synchronous, so every
 * commit waits for the disk on the event loop: with the default rollback journal a commit syncs the journal
 * and the database file (about 10 ms median, 100 ms at worst on the shared 2-core machine, bench/README.md
 * "slack-ack"), which showed in every request's latency. In WAL mode a commit appends to the log and syncs
 * it once (about 1 ms). `synchronous` stays FULL (SQLite's default), so a committed transaction is on disk
 * when the call returns, as before: power loss loses nothing that was committed. Readers no longer wait
 * for a writer (a CLI import beside the hub). The mode is stored in the file, so setting it once is enough;
 * it is set again at every open in case the file was replaced. A file that cannot be switched (read-only,
 * missing: app/database.ts decides what a missing file means) is left as it is, and its errors come from
 * the queries that need it. WAL needs a local disk (not a network share); the -wal and -shm files beside
 * the database take its mode.
 */
function useWriteAheadLog(file: string): void {
  if (!fs.existsSync(file)) return;
  try {
    const conn = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      conn.pragma('journal_mode = WAL');
    } finally {
      conn.close();
    }
  } catch {
    // read-only, locked for longer than the busy timeout, not a database: see above
  }
}

export function createDb(url: string, options: { poolSize?: number } = {}): DbHandle {
  const provider = providerOf(url);
  let db: Db;
  if (provider === 'sqlite') {
    useWriteAheadLog(url.replace(/^file:/, '').split('?')[0] ?? '');
    // busy timeout: a CLI command beside the running hub waits for the writer instead of failing. 30 s: a
    // whole calendar feed is written in one transaction (issue 15), and the hub's writes wait for it too.
    db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS }) });
  } else {
    db = new PgClient({
      adapter: new PrismaPg({ connectionString: url, max: options.poolSize ?? 10 }),
    }) as unknown as Db;
  }
  return { db, provider, url, close: () => db.$disconnect() };
}
