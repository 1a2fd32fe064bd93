/**
 * Reading /healthz as an operator does: the public body, or the details with
 * `Authorization: Bearer <METRICS_TOKEN>`. The figures are computed in the background (refreshed at most
 * every 2 s), so a test that changed something waits for the figure it expects, never for a fixed time.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect } from 'vitest';
import { PG_ADMIN_URL } from './db.ts';
import type { TestHub } from './hub.ts';

/** The METRICS_TOKEN the test hubs are started with. */
export const HEALTH_TOKEN = 'test-metrics-token-0123456789abcdef';

export interface HealthAnswer<T> {
  status: number;
  body: T;
}

/** GET /healthz with the details; with `until`, asked again until the details satisfy it (15 s at most). */
export async function healthDetails<T = Record<string, unknown>>(
  base: string,
  until?: (body: T) => boolean,
): Promise<HealthAnswer<T>> {
  const ask = async (): Promise<HealthAnswer<T>> => {
    const r = await fetch(`${base}/healthz`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
    return { status: r.status, body: (await r.json()) as T };
  };
  if (!until) return ask();
  let last: HealthAnswer<T> | undefined;
  await expect
    .poll(
      async () => {
        last = await ask();
        return until(last.body);
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBe(true);
  return last as HealthAnswer<T>;
}

/** Take the database away for real: PostgreSQL refuses connections; the SQLite file becomes unreadable. */
export async function databaseOutage(t: TestHub): Promise<void> {
  if (t.url.startsWith('file:')) {
    await t.hub.dbh.db.$disconnect();
    const file = fileURLToPath(new URL(t.url.replace(/^file:/, 'file://')));
    fs.rmSync(file, { force: true });
    fs.mkdirSync(file); // a directory where the database file was: it cannot be opened
    return;
  }
  const name = new URL(t.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  await admin.end();
}

/** Undo `databaseOutage` (PostgreSQL; the SQLite file is gone with its test). */
export async function restoreDatabase(t: TestHub): Promise<void> {
  if (t.url.startsWith('file:')) return;
  const name = new URL(t.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  await admin.end();
}
