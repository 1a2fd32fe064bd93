/**
 * After an upgrade adds a migration, a CLI command run while the (older) hub is still up must not migrate
 * the database under it. It says which migration is pending, which hub holds the database, and what to do;
 * before this, the schema engine met the hub's SQLite write lock and printed
 * "WASM_ERROR … unknown variant `SocketTimeout`". Once the hub has stopped, the same command migrates.
 * The hub is a separate process holding the database as a running hub does: its `deliverer:` lease
 * (scheduler/delivery-heartbeat.ts) with its own pid, and on SQLite an open write transaction.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../store/db.ts';
import { migrationsDir, sqliteFilePath } from '../../store/migrate.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const LAST = '20261206200945_case_assignment_one_a_day';
// The schema before LAST, as the previous version left it.
const REWIND = [
  `DELETE FROM _prisma_migrations WHERE migration_name = '${LAST}'`,
  'DROP INDEX "CaseAssignment_caseId_fromOn_key"',
  'CREATE INDEX "CaseAssignment_caseId_fromOn_idx" ON "CaseAssignment"("caseId", "fromOn")',
];

async function sql<T>(provider: Provider, url: string, text: string): Promise<T[]> {
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
function holdLikeAHub(provider: Provider, url: string): Promise<ChildProcess> {
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

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.stdin?.end();
  });

describe.each(providers)('a CLI command beside a running hub after an upgrade (%s)', (provider) => {
  let session: CliSession | undefined;
  let holder: ChildProcess | undefined;
  afterEach(async () => {
    if (holder) await stop(holder);
    await session?.close();
  });

  it('says the hub must be stopped for the pending migration, changes nothing, and migrates once it is', async () => {
    expect(fs.existsSync(path.join(migrationsDir(provider), LAST))).toBe(true);
    session = await cliSession(provider);
    const url = session.env.DATABASE_URL as string;
    for (const s of REWIND) await sql(provider, url, s);
    holder = await holdLikeAHub(provider, url);

    const blocked = await session.cli('due');
    expect(blocked.code).toBe(1);
    expect(blocked.err.trim()).toBe(
      `send-hub: the database needs migration ${LAST} and the hub (pid ${holder.pid} on ${(await import('node:os')).hostname()}) is using it: stop the hub, start it again with this version (it applies it as it starts), then run this command again`,
    );
    const applied = () =>
      sql<{ n: number | string }>(
        provider,
        url,
        `SELECT COUNT(*) AS n FROM _prisma_migrations WHERE migration_name = '${LAST}'`,
      ).then((r) => Number(r[0]?.n));
    expect(await applied()).toBe(0);

    await stop(holder);
    holder = undefined;
    // The hub's lease outlives it until it expires; a stopped process on this host no longer counts.
    const after = await session.cli('due');
    expect(after.err).not.toContain('needs migration');
    expect(after.code).toBe(0);
    expect(await applied()).toBe(1);
  });
});
