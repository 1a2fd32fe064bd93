/**
 * The Prisma client factory: the only place that picks a provider. `file:` URLs get the SQLite client
 * (better-sqlite3 driver adapter), `postgres://` URLs the PostgreSQL client (pg driver adapter).
 * The app is typed against the SQLite client, the lowest common denominator (docs/prisma.md),
 * so code that compiles cannot use a PostgreSQL-only feature by accident.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient as PgClient } from './generated/postgres/client.ts';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.ts';
import { writeTurns } from './sqlite-write-turns.ts';

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
 * A bounded page cache, in KiB (`PRAGMA cache_size = -2000`, SQLite's own default,
 * https://www.sqlite.org/pragma.html#pragma_cache_size), for connections that gain nothing from a big one:
 * better-sqlite3 builds SQLite with 16 MB a connection (`PRAGMA cache_size` reads -16000 on a new one),
 * which fills as the connection reads and stays until it closes. Used by an import batch's own connection
 * (sqlite-incident-batch.ts: it opens cold for one batch, whose index inserts touch a page here and a page
 * there, ~9 MB of them at 250,000 rows and up to the 16 MB at a million) and by the `send-hub import`
 * process's Prisma connection (HubOptions.sqliteCacheKb: few statements, of which the report's count of
 * the run's safeguarding rows reads a whole index, ~9 MB after 750,000 new rows). Pages not cached are
 * read again from the operating system's file cache. Issue 18, docs/imports.md "Memory".
 */
export const SQLITE_SMALL_CACHE_KB = 2000;

/**
 * SQLite in write-ahead-log mode (https://www.sqlite.org/wal.html). The driver is synchronous, so every
 * commit waits for the disk on the event loop: with the default rollback journal a commit syncs the journal
 * and the database file (about 10 ms median, 100 ms at worst on the shared 2-core machine, bench/README.md
 * "slack-ack"), which showed in every request's latency. In WAL mode a commit appends to the log and syncs
 * it once (about 1 ms). `synchronous = FULL` is set on each connection (better-sqlite3 builds SQLite with
 * NORMAL as the WAL default, which may lose the last commits on a power cut), so a committed transaction is
 * on disk when the call returns, as with the rollback journal. Readers no longer wait for a writer (a CLI
 * import beside the hub). The mode is stored in the file; a file that cannot be switched (read-only) is
 * left as it is, and its errors come from the queries that need it. WAL needs a local disk (not a network
 * share); the -wal and -shm files beside the database take its mode. The writes no request waits on (Slack
 * receipts, lease renewals) commit on a worker thread's connection (store/sqlite-side-writer.ts), taking
 * turns with this connection's transactions.
 */
function sqliteAdapter(url: string, cacheKb?: number): PrismaBetterSqlite3 {
  const factory = new PrismaBetterSqlite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    beginImmediate(adapter);
    await adapter.executeScript('PRAGMA synchronous = FULL');
    if (cacheKb) await adapter.executeScript(`PRAGMA cache_size = -${Math.round(cacheKb)}`);
    await adapter.executeScript('PRAGMA journal_mode = WAL').catch(() => undefined);
    // Transactions take turns with this process's side writer (store/sqlite-write-turns.ts).
    const turns = writeTurns(url);
    const begin = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      await turns.beginMain();
      let tx: Awaited<ReturnType<typeof begin>>;
      try {
        tx = await begin(isolationLevel);
      } catch (err) {
        turns.endMain();
        throw err;
      }
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        turns.endMain();
      };
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = () => commit().finally(end);
      tx.rollback = () => rollback().finally(end);
      return tx;
    };
    return adapter;
  };
  return factory;
}

/**
 * Every transaction on this connection starts with BEGIN IMMEDIATE, taking the write lock at once (waiting
 * on the busy timeout while another process writes), instead of the adapter's deferred BEGIN. A deferred
 * transaction reads from a snapshot and asks for the write lock at its first write; when another process
 * (the running hub beside a CLI command, or a CLI command beside the hub) committed in between, SQLite in WAL
 * mode refuses that write at once with SQLITE_BUSY_SNAPSHOT, with no busy wait: `send-hub contact add` beside
 * the hub failed that way when the audit append (read the chain's head, then insert) met a delivery's commit.
 * This process's transactions already run one at a time (the adapter's mutex), so nothing here waits longer.
 * The adapter prepares the literal "BEGIN" only in startTransaction (@prisma/adapter-better-sqlite3 7.10);
 * test/foundation/sqlite-immediate.test.ts fails if an upgrade changes that.
 */
function beginImmediate(adapter: object): void {
  const client = (adapter as { client?: { prepare?: (sql: string) => unknown } }).client;
  if (typeof client?.prepare !== 'function')
    throw new Error('the SQLite driver adapter has no client to prepare BEGIN IMMEDIATE on (store/db.ts)');
  const prepare = client.prepare.bind(client);
  client.prepare = (sql: string) => prepare(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql);
}

/**
 * PostgreSQL's driver adapter (@prisma/adapter-pg, and with it the pg driver), loaded when the client first
 * connects rather than when this module loads: a process on SQLite never loads pg. Loading pg costs ~13 MB
 * of resident memory on Node 20 (its Cloudflare check builds a `Response`, which loads undici and compiles
 * its HTTP parser's WebAssembly), which the `send-hub import` process carried for nothing (issue 18,
 * docs/imports.md "Memory").
 */
function lazyPgAdapter(config: { connectionString: string; max: number }): SqlDriverAdapterFactory {
  let loading: Promise<SqlDriverAdapterFactory> | undefined;
  const inner = () => {
    loading ??= import('@prisma/adapter-pg').then(({ PrismaPg }) => new PrismaPg(config));
    return loading;
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => (await inner()).connect(),
  };
}

/**
 * `sqliteCacheKb`: this connection's SQLite page cache, when not the driver's 16 MB (SQLITE_SMALL_CACHE_KB);
 * no effect on PostgreSQL.
 */
export function createDb(url: string, options: { poolSize?: number; sqliteCacheKb?: number } = {}): DbHandle {
  const provider = providerOf(url);
  let db: Db;
  if (provider === 'sqlite') {
    // busy timeout: a CLI command beside the running hub waits for the writer instead of failing. 30 s: a
    // whole calendar feed is written in one transaction (issue 15), and the hub's writes wait for it too.
    db = new SqliteClient({ adapter: sqliteAdapter(url, options.sqliteCacheKb) });
  } else {
    db = new PgClient({
      adapter: lazyPgAdapter({ connectionString: url, max: options.poolSize ?? 10 }),
    }) as unknown as Db;
  }
  return { db, provider, url, close: () => db.$disconnect() };
}
