/**
 * A missing database is a new database (issue 15, point 17). In production the hub refuses to start on
 * one (an unmounted volume would run it with no concerns, rota or history) and `send-hub init` creates it;
 * elsewhere it says so in one line. New files are owner-only: the data folder 0700, the database 0600.
 * Driven from the real command line as the admin who installs the hub would, on both providers.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { createLogger } from '../../app/logger.ts';
import { startHub } from '../../app/start.ts';
import { PG_ADMIN_URL, providers } from '../support/db.ts';
import { CaptureStream } from '../support/hub.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [path.join(root, 'bin/send-hub.mjs'), ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        LOG_LEVEL: 'error',
        PORT: '0',
        HOST: '127.0.0.1',
        ...env,
      },
      timeout: 120_000,
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

/** An empty PostgreSQL database (no tables): what a wrong DATABASE_URL or a first install looks like. */
async function emptyPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `send_hub_empty_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

describe.each(providers)('a missing database on %s', (provider) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function target() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-dbpath-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    if (provider === 'sqlite') {
      const file = path.join(dir, 'volume', 'send-hub.db');
      return { dir, url: `file:${file}`, exists: () => fs.existsSync(file), file };
    }
    const db = await emptyPostgres();
    cleanups.push(db.drop);
    return { dir, url: db.url, exists: () => true, file: undefined };
  }

  it(
    'production refuses to start on it with one line, and `send-hub init` creates it',
    { timeout: 300_000 },
    async () => {
      const t = await target();
      const env = {
        SEND_HUB_ENV: 'production',
        SEND_HUB_ENCRYPTION_KEY: KEY,
        DATABASE_URL: t.url,
        DATA_DIR: t.dir,
      };
      const refused = await cli(['start'], env);
      expect(refused.code).toBe(1);
      const lines = refused.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        provider === 'sqlite'
          ? /^send-hub: could not start: the database file .*volume\/send-hub\.db does not exist\. In production SEND Hub does not start on a new, empty database .* run `send-hub init` once\.$/
          : /^send-hub: could not start: the PostgreSQL database postgresql:\/\/\*\*\*@127\.0\.0\.1:5432\/send_hub_empty_\w+ has no SEND Hub tables\. In production/,
      );
      if (provider === 'sqlite') expect(t.exists()).toBe(false);
      // Other commands refuse too (an import would otherwise fill a new, empty database).
      const doctor = await cli(['doctor'], env);
      expect(doctor.out).toMatch(/FAIL database .*send-hub init/);

      const init = await cli(['init'], env);
      expect(init.code).toBe(0);
      expect(init.out).toMatch(
        /(Creating|Setting up) a new database at .*\nDatabase ready \(\d+ migration\(s\) applied\)/,
      );
      if (t.file) {
        expect(fs.statSync(t.file).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.dirname(t.file)).mode & 0o777).toBe(0o700);
      }
      const doctorAfter = await cli(['doctor'], env);
      expect(doctorAfter.out).toMatch(/ok {3}migrations: \d+ applied, 0 pending, 0 failed/);
    },
  );
});

describe('a missing database outside production', () => {
  it('is created with one line saying so, owner-only, and the key file beside it too', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-dev-')), 'data');
    const out = new CaptureStream();
    const config = loadConfig(
      {
        SEND_HUB_ENV: 'development',
        DATA_DIR: dir,
        PORT: '0',
        HOST: '127.0.0.1',
        CONSOLE_CHANNEL: 'off',
        DEMO: 'off',
      },
      dir,
    );
    const hub = await startHub(config, createLogger('silent', new CaptureStream()), {
      manualTicks: true,
      stdout: out,
      stdin: new PassThrough(),
      modules: [],
    });
    try {
      const text = out.text();
      expect(text).toContain(`Creating a new database at ${path.join(dir, 'send-hub.db')}.`);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, 'send-hub.db')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(dir, 'encryption.key')).mode & 0o777).toBe(0o600);
    } finally {
      await hub.stop();
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
