/**
 * Shared helpers for benchmarks: the size multiplier (BENCH_SCALE), a fresh migrated database of either
 * provider, a silent whole hub on it, and timing. Not a benchmark itself (no `.bench.ts`).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../app/config/index.ts';
import { createHub, type Hub } from '../../app/container.ts';
import { createLogger } from '../../app/logger.ts';
import type { FeatureModule } from '../../app/module.ts';
import type { ChannelPort, Clock } from '../../core/ports.ts';
import type { Provider } from '../../store/db.ts';
import { applyMigrations } from '../../store/migrate.ts';

/** BENCH_SCALE=1 is the full size (whole suite < 10 min on 2 cores); 0.1 for a quick look. */
export function benchScale(): number {
  const s = Number(process.env.BENCH_SCALE ?? 1);
  return Number.isFinite(s) && s > 0 ? s : 1;
}

export const scaled = (n: number, min = 1) => Math.max(min, Math.round(n * benchScale()));

export const PG_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.TEST_POSTGRES_URL ??
  'postgresql://postgres@127.0.0.1:5432/test';

export async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export async function freshDb(provider: Provider): Promise<{ url: string; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-bench-'));
    const url = `file:${path.join(dir, 'bench.db')}`;
    await applyMigrations(url);
    return { url, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `send_hub_b_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  await applyMigrations(url);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A bench hub's configuration: the database at `url`, a fresh data directory (the caller removes it when it
 * must), a fixed bench encryption key, test mode; `env` adds or overrides variables.
 */
export function benchConfig(
  url: string,
  env: Record<string, string> = {},
  dirPrefix = 'send-hub-bench-data-',
): { config: ReturnType<typeof loadConfig>; dataDir: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), dirPrefix));
  const config = loadConfig(
    {
      SEND_HUB_ENV: 'test',
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'bench1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      ...env,
    },
    dataDir,
  );
  return { config, dataDir };
}

export async function benchHub(
  url: string,
  opts: {
    clock?: Clock;
    channels?: ChannelPort[];
    modules?: FeatureModule[];
    workerId?: string;
    env?: Record<string, string>;
  } = {},
): Promise<Hub> {
  const { config } = benchConfig(url, { LOG_LEVEL: 'silent', ...opts.env });
  return createHub(config, createLogger('silent'), {
    ...(opts.clock ? { clock: opts.clock } : {}),
    channels: opts.channels ?? [],
    modules: opts.modules ?? [],
    ...(opts.workerId ? { workerId: opts.workerId } : {}),
  });
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Median of `runs` timings (the first, cold run is discarded when `warm`). */
export async function medianMs(runs: number, fn: () => Promise<unknown>, warm = true): Promise<number> {
  if (warm) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
