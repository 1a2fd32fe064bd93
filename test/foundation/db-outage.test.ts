/**
 * A database outage is one clear line, not a flood (issue 15, point 18): a read-only SQLite file, a
 * PostgreSQL server that refuses connections or whose database disappears, and the driver's opaque
 * "External error id#0" are each named in words an admin can act on; repeats are counted and summarised
 * at most once a minute. The end-to-end case drops a running hub's PostgreSQL database under it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { classifyDbError, DbTroubleGate, errorLine } from '../../app/db-trouble.ts';
import { createLogger, dbTroubleGateOf } from '../../app/logger.ts';
import { type RunningHub, startHub } from '../../app/start.ts';
import { PrismaClient } from '../../store/generated/sqlite/client.ts';
import { freshDatabaseUrl, PG_ADMIN_URL, pgAvailable } from '../support/db.ts';
import { CaptureStream } from '../support/hub.ts';

describe('database problems are named', () => {
  it('a write to a read-only SQLite database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ro-'));
    const file = path.join(dir, 'x.db');
    new Database(file).exec('CREATE TABLE t (a)');
    const ro = new Database(file, { readonly: true });
    let err: unknown;
    try {
      ro.exec('INSERT INTO t VALUES (1)');
    } catch (e) {
      err = e;
    }
    ro.close();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(classifyDbError(err)).toMatch(/^the database is read-only/);
    // As Prisma wraps it: the driver's error is the cause.
    expect(classifyDbError(new Error('Invalid invocation', { cause: err }))).toMatch(/read-only/);
  });

  it("the driver adapter's opaque External error", () => {
    expect(classifyDbError(new Error('External error id#0'))).toMatch(/unreachable PostgreSQL host/);
  });

  it('anything else is left alone', () => {
    expect(classifyDbError(new Error('Cannot read properties of undefined'))).toBeNull();
    expect(classifyDbError(undefined)).toBeNull();
  });

  it.runIf(pgAvailable)(
    'a PostgreSQL server that refuses connections, and a database that does not exist',
    async () => {
      const refused = new pg.Client({
        connectionString: 'postgresql://postgres@127.0.0.1:1/x',
        connectionTimeoutMillis: 3000,
      });
      const e1 = await refused.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(classifyDbError(e1)).toMatch(/refuses connections/);
      const u = new URL(PG_ADMIN_URL);
      u.pathname = '/send_hub_no_such_db';
      const missing = new pg.Client({ connectionString: u.toString() });
      const e2 = await missing.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(classifyDbError(e2)).toMatch(/does not exist/);
    },
  );

  it("a SQLite file another process keeps locked, and Prisma's other errors, in one line that says something", async () => {
    const { url, drop } = await freshDatabaseUrl('sqlite');
    const other = new Database(url.slice('file:'.length));
    // Prisma's own client on a short busy timeout (the hub's is 30 s): the same error, sooner.
    const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url, timeout: 100 }) });
    try {
      await db.appSecret.create({ data: { id: 'taken', valueEnc: 'x' } });
      other.exec('BEGIN IMMEDIATE');
      const busy = await db.appSecret.create({ data: { id: 'b', valueEnc: 'x' } }).catch((e: unknown) => e);
      other.exec('ROLLBACK');
      // Its message begins with a blank line: the CLI printed "send-hub: " and nothing else.
      expect((busy as Error).message.split('\n')[0]).toBe('');
      expect(errorLine(busy)).toMatch(/^the database stayed locked by another process .* try again$/);
      const dup = await db.appSecret
        .create({ data: { id: 'taken', valueEnc: 'x' } })
        .catch((e: unknown) => e);
      expect(errorLine(dup)).toMatch(/^Unique constraint failed/);
      expect(errorLine(new Error('plain words\nmore'))).toBe('plain words');
    } finally {
      other.close();
      await db.$disconnect();
      await drop();
    }
  });
});

describe('repeats are summarised', () => {
  it('68 errors in 30 s make one line; a summary a minute while it lasts; a new bout after quiet', () => {
    let t = 0;
    const gate = new DbTroubleGate(60_000, () => t);
    const said: string[] = [];
    for (let i = 0; i < 68; i++) {
      const v = gate.verdict('the database server cannot be reached');
      if ('say' in v) said.push(v.say);
      t += 440;
    }
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^database problem: the database server cannot be reached\. The hub keeps retrying/,
    );
    for (let i = 0; i < 100; i++) {
      const v = gate.verdict('the database server cannot be reached');
      if ('say' in v) said.push(v.say);
      t += 440;
    }
    expect(said).toHaveLength(2);
    expect(said[1]).toMatch(
      /^database problem continues: .* \(\d+ more error\(s\) since the last line; first seen \d+ s ago\)/,
    );
    t += 120_000;
    const again = gate.verdict('the database server cannot be reached');
    expect('say' in again && again.say).toMatch(/^database problem: /);
  });

  it('through the logger: stack traces of the same outage collapse into one line', () => {
    const out = new CaptureStream();
    const log = createLogger('info', out);
    for (let i = 0; i < 68; i++)
      log.error({ err: new Error('External error id#0') }, 'delivery loop failed; retrying');
    log.error({ err: new Error('something else') }, 'unrelated failure');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('database problem: the database driver failed');
    expect(lines[0]).not.toContain('"stack"');
    expect(lines[1]).toContain('unrelated failure');
    expect(dbTroubleGateOf(log)?.suppressed).toBe(67);
  });
});

describe.runIf(pgAvailable)('a running hub whose PostgreSQL database goes away', () => {
  let running: RunningHub | undefined;
  afterEach(async () => {
    await running?.stop().catch(() => undefined);
  });

  it('logs the outage in one line while every loop keeps failing', { timeout: 120_000 }, async () => {
    const { url, drop } = await freshDatabaseUrl('postgres');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-outage-'));
    const logs = new CaptureStream();
    const log = createLogger('info', logs);
    const config = loadConfig(
      {
        SEND_HUB_ENV: 'test',
        DATABASE_URL: url,
        DATA_DIR: dir,
        SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
        PORT: '0',
        HOST: '127.0.0.1',
        CONSOLE_CHANNEL: 'off',
        DEMO: 'off',
        TICK_CRON: '* * * * * *',
        DELIVERY_INTERVAL_MS: '100',
      },
      dir,
    );
    running = await startHub(config, log, { stdout: new CaptureStream(), stdin: new PassThrough() });
    await drop(); // DROP DATABASE … WITH (FORCE): every connection is cut, and it is gone
    const gate = dbTroubleGateOf(log)!;
    const end = Date.now() + 90_000;
    while (gate.suppressed < 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(gate.suppressed).toBeGreaterThanOrEqual(20);
    const bad = logs
      .text()
      .trim()
      .split('\n')
      .filter((l) => /"level":(40|50|60)/.test(l));
    const problems = bad.filter((l) => l.includes('database problem'));
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.length).toBeLessThanOrEqual(3); // one per kind of failure the driver reports
    expect(bad.filter((l) => !l.includes('database problem')).map((l) => l.slice(0, 600))).toEqual([]);
    await running.stop().catch(() => undefined);
    running = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
