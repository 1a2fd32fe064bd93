/**
 * A running hub as another process sees it, for tests of an upgrade beside one: a separate process holding
 * the database as a hub does (its `deliverer:` lease, scheduler/delivery-heartbeat.ts, with its own pid; on
 * SQLite an open write transaction too), and plain SQL on the database without the app's client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Provider } from '../../store/db.ts';
import { sqliteFilePath } from '../../store/migrate.ts';

export async function sql<T>(provider: Provider, url: string, text: string): Promise<T[]> {
  if (provider === 'sqlite') {
    const db = new Database(sqliteFilePath(url));
    try {
      const st = db.prepare(text);
      if (st.reader) return st.all() as T[];
      st.run();
      return [];
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A process holding the database as a running hub does; resolves once it holds it. */
export function holdLikeAHub(provider: Provider, url: string): Promise<ChildProcess> {
  const script =
    provider === 'sqlite'
      ? `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(sqliteFilePath(url))});
         const owner = require('os').hostname() + ':' + process.pid + ':test';
         db.prepare('INSERT INTO "Lease" (name, owner, until) VALUES (?, ?, ?)').run('deliverer:' + owner, owner,
           new Date(Date.now() + 600000).toISOString().replace('Z', '+00:00'));
         db.exec('BEGIN IMMEDIATE'); db.prepare('UPDATE "Lease" SET owner = owner').run();
         console.log('holding'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`
      : `const pg = require('pg'); (async () => { const c = new pg.Client({ connectionString: ${JSON.stringify(url)} });
         await c.connect(); const owner = require('os').hostname() + ':' + process.pid + ':test';
         await c.query("INSERT INTO \\"Lease\\" (name, owner, until) VALUES ($1, $2, (now() AT TIME ZONE 'UTC') + interval '10 minutes')", ['deliverer:' + owner, owner]);
         console.log('holding'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0)); })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('holding')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });
}

/** Ends the holder as a stopped hub ends: its process is gone (its lease stays until it expires). */
export const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.stdin?.end();
  });
