/**
 * The Prisma client factory: the only place that picks a provider. `file:` URLs get the SQLite client
 * (better-sqlite3 driver adapter), `postgres://` URLs the PostgreSQL client (pg driver adapter).
 * The app is typed against the SQLite client, the lowest common denominator (docs/prisma.md),
 * so code that compiles cannot use a PostgreSQL-only feature by accident.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
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

export function createDb(url: string, options: { poolSize?: number } = {}): DbHandle {
  const provider = providerOf(url);
  let db: Db;
  if (provider === 'sqlite') {
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
