/**
 * Issue 15, point 6, from the user's seat: the hub runs (`send-hub start`, a child process) and two people
 * import calendars from the command line at the same moment (`send-hub import ics`, two more processes), all
 * on one SQLite file. Each import waits for the lock instead of failing, writes its whole feed in one
 * transaction, exits 0, and nobody reads a stack trace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/send-hub.mjs');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function env(dataDir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' };
}

/** `count` separate timed events, 10 minutes apart from tomorrow (inside the default sync window). */
function feed(prefix: string, count: number): string {
  const base = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate() + 1,
    8,
  );
  const stamp = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//SEND Hub tests//EN'];
  for (let i = 0; i < count; i++) {
    const start = base + i * 600_000;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${prefix}-${i}@school.example`,
      `DTSTART:${stamp(start)}`,
      `DTEND:${stamp(start + 300_000)}`,
      `SUMMARY:Review ${i}`,
      'ATTENDEE:mailto:sendco@school.example',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}

function run(args: string[], dataDir: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: env(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (b) => {
    out += b;
  });
  child.stderr?.on('data', (b) => {
    err += b;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

async function startHub(dataDir: string): Promise<ChildProcess> {
  const hub = spawn(process.execPath, [bin, 'start'], { env: env(dataDir), stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(hub);
  let out = '';
  hub.stdout?.on('data', (b) => {
    out += b;
  });
  hub.stderr?.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not start: ${out}`)), 90_000);
    const check = () => {
      if (/listening on http:\/\/localhost:\d+/.test(out)) {
        clearTimeout(timer);
        resolve();
      } else if (hub.exitCode !== null) reject(new Error(`the hub exited: ${out}`));
      else setTimeout(check, 100);
    };
    check();
  });
  return hub;
}

const STACK = /^\s+at .+[:(]/m;

describe('send-hub import ics beside the running hub (one SQLite file)', () => {
  it('two concurrent imports both wait for the lock, save every meeting, exit 0, and print no stack trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-ics-cli-'));
    await startHub(dir);
    fs.writeFileSync(path.join(dir, 'a.ics'), feed('a', 1000));
    fs.writeFileSync(path.join(dir, 'b.ics'), feed('b', 1000));
    // A third writer holds the database while both imports start (as the hub does during a busy tick).
    const holder = new Database(path.join(dir, 'send-hub.db'));
    holder.pragma('busy_timeout = 30000');
    holder.exec('BEGIN IMMEDIATE');
    const imports = Promise.all([
      run(['import', 'ics', path.join(dir, 'a.ics'), '--source', 'feed-a'], dir),
      run(['import', 'ics', path.join(dir, 'b.ics'), '--source', 'feed-b'], dir),
    ]);
    // Release once both importers have opened the database (each has a connection, i.e. a -shm/-wal user).
    await new Promise((r) => setTimeout(r, 3000));
    holder.exec('COMMIT');
    const [a, b] = await imports;
    for (const r of [a, b]) {
      expect(r.err + r.out).not.toMatch(STACK);
      expect(r.err).not.toMatch(/SQLITE_BUSY|database is locked/);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/: 1000 events; meetings created 1000, updated 0, unchanged 0/);
    }
    const counts = holder
      .prepare(
        'SELECT source, COUNT(*) AS n FROM "Meeting" WHERE source LIKE \'ics:feed-%\' GROUP BY source ORDER BY source',
      )
      .all();
    expect(counts).toEqual([
      { source: 'ics:feed-a', n: 1000 },
      { source: 'ics:feed-b', n: 1000 },
    ]);
    holder.close();
  }, 300_000);
});
