/**
 * A transaction that reads and then writes, in one process, while another process commits in between (a
 * CLI command beside the running hub): on SQLite in WAL mode a deferred BEGIN made the write fail at once
 * with SQLITE_BUSY_SNAPSHOT, no busy wait (`send-hub contact add` failed so, printing "send-hub: " and an
 * empty line, when its audit append met a delivery's commit). store/db.ts begins every transaction
 * IMMEDIATE: the other process waits for the commit instead, and both writes land.
 * The other process is a worker thread with its own connection, as another process would have.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { sqliteFile } from '../../store/sqlite-write-turns.ts';
import { freshDatabaseUrl } from '../support/db.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/**
 * The other writer: on `go` it tries its insert without waiting; locked out, it says `blocked` and waits
 * (busy timeout 20 s) for the lock; it says `done` once committed, or `error` with SQLite's code.
 */
const OTHER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 0 });
parentPort.on('message', () => {
  const insert = () => db.prepare("INSERT INTO AppSecret (id, valueEnc) VALUES ('other', 'x')").run();
  try {
    insert();
    parentPort.postMessage({ said: 'done' });
  } catch (e) {
    if (e.code !== 'SQLITE_BUSY') return parentPort.postMessage({ said: 'error', code: e.code });
    parentPort.postMessage({ said: 'blocked' });
    try {
      db.pragma('busy_timeout = 20000');
      insert();
      parentPort.postMessage({ said: 'done' });
    } catch (e2) {
      parentPort.postMessage({ said: 'error', code: e2.code });
    }
  }
  db.close();
});
`;

describe('SQLite transactions beside another process', () => {
  it('a read-then-write transaction holds the write lock from its start: the other writer waits, both land', async () => {
    const { url, drop } = await freshDatabaseUrl('sqlite');
    cleanups.push(drop);
    const dbh = createDb(url);
    cleanups.push(() => dbh.close());
    await dbh.db.appSecret.count(); // connect (WAL on) before the other connection opens the file

    const worker = new Worker(OTHER, {
      eval: true,
      workerData: { file: sqliteFile(url), driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    cleanups.push(async () => {
      await worker.terminate();
    });
    const said: string[] = [];
    const waiters = new Set<() => void>();
    worker.on('message', (m: { said: string; code?: string }) => {
      said.push(m.code ? `${m.said} ${m.code}` : m.said);
      for (const w of waiters) w();
    });
    const heard = (re: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the other writer said only: ${said.join(', ')}`)),
          30_000,
        );
        const check = () => {
          const m = said.find((s) => re.test(s));
          if (m === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        waiters.add(check);
        check();
      });

    await dbh.db.$transaction(async (tx) => {
      await tx.appSecret.findFirst(); // the audit append's read of the chain's head, say
      worker.postMessage('go');
      // With a deferred BEGIN the other insert committed here ('done') and the write below failed.
      expect(await heard(/^(blocked|done|error)/)).toBe('blocked');
      await tx.appSecret.create({ data: { id: 'mine', valueEnc: 'y' } });
    });
    expect(await heard(/^(done|error)/)).toBe('done');
    const ids = (await dbh.db.appSecret.findMany({ select: { id: true } })).map((r) => r.id).sort();
    expect(ids).toEqual(['mine', 'other']);
  }, 60_000);
});
