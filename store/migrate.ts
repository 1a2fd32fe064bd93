/**
 * Applies the committed migrations at start-up through Prisma's own schema engine in its WebAssembly
 * build (no native engine can be downloaded here; see docs/prisma.md). Idempotent: a database that is
 * up to date gets no change. A SQLite database file (and its folder) is created when missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../core/errors.ts';
import { type Provider, providerOf } from './db.ts';
import { breakingStatements, describeStatement } from './rolling-upgrade.ts';
import { DELIVERER_LEASE_PREFIX, describeWorker, workerAlive } from './worker-id.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The committed migrations of a provider, or `dir` (SEND_HUB_MIGRATIONS_DIR: tests of an upgrade only). */
export const migrationsDir = (provider: Provider, dir?: string) =>
  dir ? path.resolve(dir) : path.join(projectRoot, 'prisma', provider, 'migrations');
export const schemaFile = (provider: Provider) => path.join(projectRoot, 'prisma', provider, 'schema.prisma');

export function sqliteFilePath(url: string): string {
  const file = url.replace(/^file:/, '').split('?')[0] ?? '';
  return path.resolve(file);
}

interface Disposable {
  dispose(): Promise<void>;
}
interface AdapterFactory {
  connect(): Promise<Disposable>;
  connectToShadowDb(): Promise<Disposable>;
}

/**
 * A driver-adapter factory that remembers the connections the engine opens: `engine.free()` does not
 * close them, and an open SQLite connection would hold the file's lock against the app's own client.
 * The adapters and the schema engine load only when a migration or a drift check runs: a process whose
 * database is up to date (every CLI command beside a running hub, `send-hub import`) loads neither the
 * engine's glue nor pg (issue 18, docs/imports.md "Memory").
 */
async function adapterFactory(url: string): Promise<{ factory: unknown; disposeAll(): Promise<void> }> {
  let inner: AdapterFactory;
  if (providerOf(url) === 'sqlite') {
    const file = sqliteFilePath(url);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
    inner = new PrismaBetterSqlite3({ url: `file:${file}` }) as unknown as AdapterFactory;
  } else {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    inner = new PrismaPg({ connectionString: url }) as unknown as AdapterFactory;
  }
  const opened: Disposable[] = [];
  const track = async (p: Promise<Disposable>) => {
    const a = await p;
    opened.push(a);
    return a;
  };
  const factory = new Proxy(inner as object, {
    get(target, key, receiver) {
      if (key === 'connect') return () => track(inner.connect());
      if (key === 'connectToShadowDb') return () => track(inner.connectToShadowDb());
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    factory,
    async disposeAll() {
      for (const a of opened.splice(0)) await a.dispose().catch(() => undefined);
    },
  };
}

/**
 * The committed migrations not yet recorded as finished, and the hubs using the database now (unexpired
 * `deliverer:` leases, scheduler/delivery-heartbeat.ts, whose process is alive when it is on this host).
 * Plain driver queries, so that a CLI command run beside a live hub does not load the engine (nor wait on
 * the hub's SQLite lock) when nothing is pending.
 */
async function pendingAndHolders(
  url: string,
  provider: Provider,
  dir: string,
): Promise<{ applied: number; pending: string[]; hubs: string[] }> {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const sql =
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';
  const leases = `SELECT owner, until FROM "Lease" WHERE name LIKE '${DELIVERER_LEASE_PREFIX}%'`;
  let done: string[] = [];
  let held: { owner: string; until: unknown }[] = [];
  const tryRead = async <T>(read: () => Promise<T[]> | T[]): Promise<T[]> => {
    try {
      return await read();
    } catch {
      return []; // a new database: no table yet
    }
  };
  if (provider === 'sqlite') {
    const file = sqliteFilePath(url);
    if (!fs.existsSync(file)) return { applied: 0, pending: names, hubs: [] };
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true, timeout: 5000 });
    try {
      done = (await tryRead(() => db.prepare(sql).all() as { migration_name: string }[])).map(
        (r) => r.migration_name,
      );
      if (done.length < names.length) held = await tryRead(() => db.prepare(leases).all() as typeof held);
    } finally {
      db.close();
    }
  } else {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      done = (await tryRead(async () => (await client.query<{ migration_name: string }>(sql)).rows)).map(
        (r) => r.migration_name,
      );
      // "until" is a timestamp without time zone holding UTC (Prisma's DateTime): compared in the server.
      if (done.length < names.length)
        held = await tryRead(
          async () =>
            (
              await client.query<{ owner: string; until: unknown }>(
                `${leases} AND until > (now() AT TIME ZONE 'UTC')`,
              )
            ).rows,
        );
    } finally {
      await client.end();
    }
  }
  const finished = new Set(done);
  const now = Date.now();
  const hubs = held
    .filter((h) => provider === 'postgres' || new Date(String(h.until)).getTime() > now)
    .map((h) => h.owner)
    .filter(workerAlive);
  return {
    applied: names.filter((n) => finished.has(n)).length,
    pending: names.filter((n) => !finished.has(n)),
    hubs: [...new Set(hubs)],
  };
}

/**
 * Who may apply pending migrations. `cli`: a command other than `start`, which never changes the schema
 * under a running hub (the hub's code is the older version; its queries would meet a half-new schema, and
 * on SQLite its writes hold the lock the engine needs). `hub`: `send-hub start`, the one place an upgrade
 * migrates: on SQLite it refuses while another hub holds the file (it could not run beside it anyway); on
 * PostgreSQL a replica of the new version migrates as it starts beside older ones when every pending
 * migration is additive, and refuses otherwise (docs/scaling.md "Upgrades").
 */
export type Migrator = 'cli' | 'hub';

/** Pending migrations, and a hub using the database, so they cannot be applied now. */
export class MigrationBlockedError extends DomainError {
  constructor(
    readonly pending: string[],
    readonly hubs: string[],
    who: Migrator,
  ) {
    const what = pending.length === 1 ? `migration ${pending[0]}` : `migrations ${pending.join(', ')}`;
    const running = `${hubs.length === 1 ? 'the hub' : 'hubs'} (${hubs.map(describeWorker).join(', ')}) ${hubs.length === 1 ? 'is' : 'are'} using it`;
    super(
      'DATABASE_LOCKED',
      who === 'cli'
        ? `the database needs ${what} and ${running}: stop the hub, start it again with this version (it applies ${pending.length === 1 ? 'it' : 'them'} as it starts), then run this command again`
        : `the database needs ${what} and ${running}: stop it first; this hub applies ${pending.length === 1 ? 'it' : 'them'} as it starts`,
    );
  }
}

/**
 * A replica of the new version starting on PostgreSQL beside hubs of the older one, with a pending migration
 * that is not additive (store/rolling-upgrade.ts): applying it would run them on a schema they
 * were not written for. Nothing is applied.
 */
export class NotAdditiveMigrationError extends DomainError {
  constructor(
    readonly migration: string,
    readonly statement: string,
    readonly hubs: string[],
  ) {
    const running =
      hubs.length === 1
        ? `the hub (${describeWorker(hubs[0] as string)}) still runs the older version on this database`
        : `hubs (${hubs.map(describeWorker).join(', ')}) still run the older version on this database`;
    super(
      'DATABASE_LOCKED',
      `migration ${migration} is not additive (${statement}) and ${running}: a rolling upgrade is safe only for additive migrations. Stop every running hub, then start this one (it applies the migration as it starts), then the others`,
    );
  }
}

/**
 * Why one migration may break older replicas beside it, in one phrase ("drop index "X" and 2 other
 * statements"; store/rolling-upgrade.ts), or null when it is additive.
 */
export function notAdditiveReason(dir: string, name: string): string | null {
  const file = path.join(dir, name, 'migration.sql');
  const breaking = breakingStatements(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const first = breaking[0];
  if (!first) return null;
  const n = breaking.length - 1;
  return `${describeStatement(first)}${n > 0 ? ` and ${n} other statement${n > 1 ? 's' : ''}` : ''}`;
}

/** The first pending migration with a statement the older replicas may not survive, and that statement. */
function firstNotAdditive(
  dir: string,
  pending: string[],
): { migration: string; statement: string } | undefined {
  for (const name of pending) {
    const statement = notAdditiveReason(dir, name);
    if (statement) return { migration: name, statement };
  }
  return undefined;
}

export interface ApplyOptions {
  /** A migrations folder other than the committed one (SEND_HUB_MIGRATIONS_DIR; refused in production). */
  dir?: string;
}

export async function applyMigrations(
  url: string,
  who: Migrator = 'hub',
  options: ApplyOptions = {},
): Promise<string[]> {
  const provider = providerOf(url);
  const dir = migrationsDir(provider, options.dir);
  const { pending, hubs } = await pendingAndHolders(url, provider, dir);
  if (pending.length === 0) return [];
  if (hubs.length > 0 && (who === 'cli' || provider === 'sqlite'))
    throw new MigrationBlockedError(pending, hubs, who);
  if (hubs.length > 0) {
    // PostgreSQL, `send-hub start` beside older replicas: only additive migrations roll.
    const blocked = firstNotAdditive(dir, pending);
    if (blocked) throw new NotAdditiveMigrationError(blocked.migration, blocked.statement, hubs);
  }
  const { migrationsList, noFilter, openEngine } = await import('../scripts/schema-engine.mjs');
  const main = await adapterFactory(url);
  const engine = await openEngine(main.factory, undefined);
  try {
    const result = await engine.applyMigrations({
      migrationsList: migrationsList(dir),
      filters: noFilter,
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
    await main.disposeAll();
  }
}

export interface PendingMigrations {
  /** Migrations of the folder recorded as finished (0: a new database). */
  applied: number;
  /** Each pending one, with why it is not additive (null: additive). */
  pending: { name: string; notAdditive: string | null }[];
  /** The hubs using the database now (describeWorker names them). */
  hubs: string[];
}

/**
 * For `send-hub doctor`: the migrations `send-hub start` would apply (from the same folder: the committed
 * one, or SEND_HUB_MIGRATIONS_DIR), each classified additive or not, and the hubs using the database.
 * Plain reads: nothing is applied.
 */
export async function pendingMigrations(url: string, options: ApplyOptions = {}): Promise<PendingMigrations> {
  const provider = providerOf(url);
  const dir = migrationsDir(provider, options.dir);
  const { applied, pending, hubs } = await pendingAndHolders(url, provider, dir);
  return {
    applied,
    pending: pending.map((name) => ({ name, notAdditive: notAdditiveReason(dir, name) })),
    hubs,
  };
}

export interface MigrationStatus {
  applied: number;
  pending: string[];
  failed: string[];
}

/** For `send-hub doctor`: compares the migrations table with the folder (the committed one, or `dir`). */
export async function migrationStatus(
  query: (
    sql: string,
  ) => Promise<{ migration_name: string; finished_at: unknown; rolled_back_at: unknown }[]>,
  provider: Provider,
  dir?: string,
): Promise<MigrationStatus> {
  const names = fs
    .readdirSync(migrationsDir(provider, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  let rows: { migration_name: string; finished_at: unknown; rolled_back_at: unknown }[] = [];
  try {
    rows = await query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations');
  } catch {
    rows = [];
  }
  const done = new Set(rows.filter((r) => r.finished_at != null).map((r) => r.migration_name));
  return {
    applied: done.size,
    pending: names.filter((n) => !done.has(n)),
    failed: rows
      .filter((r) => r.finished_at == null && r.rolled_back_at == null)
      .map((r) => r.migration_name),
  };
}

/** Drift check: committed migrations against the schema (exit code 0 = no difference). */
export async function migrationDrift(
  url: string,
  shadowUrl?: string,
): Promise<{ exitCode: number; script: string }> {
  const provider = providerOf(url);
  const schema = schemaFile(provider);
  const { migrationsList, noFilter, openEngine } = await import('../scripts/schema-engine.mjs');
  const main = await adapterFactory(url);
  // PostgreSQL replays the migrations on a shadow database that is WIPED first: never the main one.
  if (provider === 'postgres' && !shadowUrl)
    throw new Error('a drift check on PostgreSQL needs a disposable shadow database URL');
  const shadow = shadowUrl ? await adapterFactory(shadowUrl) : undefined;
  const engine = await openEngine(main.factory, [[schema, fs.readFileSync(schema, 'utf8')]], {
    shadow: shadow?.factory,
  });
  try {
    const d = await engine.diff({
      from: { tag: 'migrations', ...migrationsList(migrationsDir(provider)) },
      to: { tag: 'schemaDatamodel', files: [{ path: schema, content: fs.readFileSync(schema, 'utf8') }] },
      script: true,
      exitCode: true,
      filters: noFilter,
    });
    return { exitCode: d.exitCode, script: d.stdout };
  } finally {
    engine.free();
    await main.disposeAll();
    await shadow?.disposeAll();
  }
}
