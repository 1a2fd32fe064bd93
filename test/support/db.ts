/**
 * Real databases for tests (habit 10): a fresh, migrated SQLite file per call, and a fresh PostgreSQL
 * database per call on the local server (dropped afterwards). `providers` lists what this run can use:
 * PostgreSQL is required when SEND_HUB_TEST_PG=1 (CI) and skipped, loudly, when the server is absent.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type DbHandle, type Provider } from '../../store/db.ts';
import { applyMigrations } from '../../store/migrate.ts';

export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** Set by scripts/run-tests.mjs after probing the server; "1" = run PostgreSQL tests. */
export const pgAvailable = process.env.SEND_HUB_TEST_PG === '1';

export const providers: Provider[] = pgAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDb extends DbHandle {
  /** Drop the database (PostgreSQL) or delete the file (SQLite). */
  destroy(): Promise<void>;
}

function pgUrlFor(database: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A URL for a brand-new, migrated database of `provider`. */
export async function freshDatabaseUrl(provider: Provider): Promise<{ url: string; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-test-'));
    const url = `file:${path.join(dir, 'test.db')}`;
    await applyMigrations(url);
    return { url, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `send_hub_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = pgUrlFor(name);
  await applyMigrations(url);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestDb(provider: Provider): Promise<TestDb> {
  const { url, drop } = await freshDatabaseUrl(provider);
  const handle = createDb(url, { poolSize: 5 });
  return {
    ...handle,
    async destroy() {
      await handle.close();
      await drop();
    },
  };
}
