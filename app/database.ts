/**
 * Opening the configured database before anything else touches it. A missing SQLite file or an empty
 * PostgreSQL database is a NEW database: outside production the hub says so in one line and creates it;
 * in production it refuses unless asked (`send-hub init`), because an unmounted volume or a wrong
 * DATABASE_URL would otherwise run the hub with no concerns, rota or history. New files are owner-only:
 * the data folder 0700, the database 0600 (SQLite gives its -wal and -shm files the database's mode).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../core/errors.ts';
import { providerOf } from '../store/db.ts';
import { applyMigrations, type Migrator, sqliteFilePath } from '../store/migrate.ts';
import type { Config } from './config/index.ts';

export const safeUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** The data folder, made owner-only when this call creates it. */
export function ensureDataDir(dir: string): void {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

async function postgresIsEmpty(url: string): Promise<boolean> {
  // Loaded here, on PostgreSQL only: a SQLite process never loads pg (store/db.ts, lazyPgAdapter).
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const r = await c.query(`SELECT to_regclass('public._prisma_migrations') IS NULL AS empty`);
    return Boolean(r.rows[0]?.empty);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface PrepareOptions {
  /** `send-hub init`: creating a new database is what was asked for. */
  create?: boolean;
  /** Where the one line about a new database goes. */
  say?: (line: string) => void;
  /** `hub` for `send-hub start`; every other command is `cli` and never migrates under a running hub. */
  migrator?: Migrator;
}

/** Check (and if allowed, create) the database, then apply pending migrations. Returns their names. */
export async function prepareDatabase(config: Config, options: PrepareOptions = {}): Promise<string[]> {
  const url = config.databaseUrl;
  const refuse = (what: string) =>
    new DomainError(
      'DATABASE_MISSING',
      `${what}. In production SEND Hub does not start on a new, empty database (an unmounted volume or a wrong DATABASE_URL would run it with no concerns, rota or history). If this is a first install, run \`send-hub init\` once.`,
    );
  if (providerOf(url) === 'sqlite') {
    const file = sqliteFilePath(url);
    if (!fs.existsSync(file)) {
      if (config.production && !options.create) throw refuse(`the database file ${file} does not exist`);
      ensureDataDir(path.dirname(file));
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
      options.say?.(`Creating a new database at ${file}.`);
    }
  } else if (await postgresIsEmpty(url)) {
    if (config.production && !options.create)
      throw refuse(`the PostgreSQL database ${safeUrl(url)} has no SEND Hub tables`);
    options.say?.(`Setting up a new database at ${safeUrl(url)}.`);
  }
  const dir = config.env.SEND_HUB_MIGRATIONS_DIR;
  return applyMigrations(url, options.migrator ?? 'cli', dir ? { dir } : {});
}
