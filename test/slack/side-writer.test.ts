/**
 * The writes that no Slack request waits on (event receipts, lease renewals) commit on a worker thread's
 * own SQLite connection (store/sqlite-side-writer.ts), so their waits for the disk leave the event loop
 * that acknowledges requests alone. What must stay true:
 * - on both providers, a receipt recorded by the hub's repository is seen by another process on the same
 *   database, with the same insert-if-absent claim (SQLite: through the worker; PostgreSQL: Prisma);
 * - a receipt the writer has answered is on disk: killing the whole process right after the answer, or
 *   the worker thread in the middle of writes, loses none of the answered ones, and the writer carries on;
 * - the lease's compare-and-set is the same through the worker;
 * - a Prisma transaction that reads and then writes is never cut by a side write's commit (which in
 *   write-ahead-log mode would fail it with SQLITE_BUSY): the side write waits for the transaction's end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseRepository } from '../../store/lease-repository.ts';
import { SlackEventReceiptRepository } from '../../store/slack-event-receipt-repository.ts';
import { openSideWriter, SqliteSideWriter } from '../../store/sqlite-side-writer.ts';
import { sqliteFile } from '../../store/sqlite-write-turns.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';

/** The event ids another process reads from the database at `url`. */
function receiptsSeenByAnotherProcess(url: string): string[] {
  const script = url.startsWith('file:')
    ? `const D = require('better-sqlite3'); const db = new D(process.argv[1], { readonly: true });
       console.log(JSON.stringify(db.prepare('SELECT "eventId" FROM "SlackEventReceipt" ORDER BY 1').all().map((r) => r.eventId)));`
    : `const pg = require('pg'); const c = new pg.Client({ connectionString: process.argv[1] });
       c.connect().then(() => c.query('SELECT "eventId" FROM "SlackEventReceipt" ORDER BY 1'))
        .then((r) => { console.log(JSON.stringify(r.rows.map((x) => x.eventId))); return c.end(); });`;
  const target = url.startsWith('file:') ? sqliteFile(url) : url;
  const r = spawnSync(process.execPath, ['-e', script, target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe.each(providers)('Slack receipts recorded by the hub on %s', (provider) => {
  let t: TestDb | undefined;
  let side: ReturnType<typeof openSideWriter> | undefined;
  afterEach(async () => {
    await side?.release();
    side = undefined;
    await t?.destroy();
    t = undefined;
  });

  it('are seen by another process, each id claimed once', async () => {
    t = await createTestDb(provider);
    side = provider === 'sqlite' ? openSideWriter(t.url) : undefined;
    const repo = new SlackEventReceiptRepository(t.db, side?.writer);
    const at = new Date('2026-12-06T09:00:00Z');
    expect(await repo.claimMany(['EvS1', 'EvS2'], at)).toEqual(new Set(['EvS1', 'EvS2']));
    expect(await repo.claimMany(['EvS2', 'EvS3'], at)).toEqual(new Set(['EvS3']));
    expect(receiptsSeenByAnotherProcess(t.url)).toEqual(['EvS1', 'EvS2', 'EvS3']);
    // Written as Prisma writes them: the hub's own queries find them by time.
    expect(await t.db.slackEventReceipt.count({ where: { receivedAt: at } })).toBe(3);
    expect(await repo.prune(new Date(at.getTime() + 1))).toBe(3);
    expect(receiptsSeenByAnotherProcess(t.url)).toEqual([]);
  });

  it('a lease is taken, renewed and refused to another owner as before', async () => {
    t = await createTestDb(provider);
    side = provider === 'sqlite' ? openSideWriter(t.url) : undefined;
    let now = new Date('2026-12-06T09:00:00Z');
    const leases = new LeaseRepository(t.db, { now: () => now }, side?.writer);
    expect(await leases.acquire('scheduler-tick', 'a', 30_000)).toBe(true);
    expect(await leases.acquire('scheduler-tick', 'b', 30_000)).toBe(false);
    now = new Date(now.getTime() + 20_000);
    expect(await leases.acquire('scheduler-tick', 'a', 30_000)).toBe(true);
    expect((await leases.holder('scheduler-tick'))?.until).toEqual(new Date(now.getTime() + 30_000));
    now = new Date(now.getTime() + 31_000);
    expect(await leases.acquire('scheduler-tick', 'b', 30_000)).toBe(true);
    expect((await leases.holder('scheduler-tick'))?.owner).toBe('b');
  });
});

describe('The SQLite side writer', () => {
  let t: TestDb | undefined;
  const writers: SqliteSideWriter[] = [];
  afterEach(async () => {
    for (const w of writers.splice(0)) await w.close();
    await t?.destroy();
    t = undefined;
  });

  it('loses no answered receipt when its process is killed in the middle of writing', async () => {
    t = await createTestDb('sqlite');
    // A process that records receipts one after another and says which the writer has answered.
    const program = `
      import { SqliteSideWriter } from './store/sqlite-side-writer.ts';
      const w = new SqliteSideWriter(process.argv[1]);
      for (let i = 1; ; i++) {
        await w.claimReceipts(['EvK' + i, 'EvK' + i + 'b'], new Date());
        process.stdout.write('ANSWERED EvK' + i + '\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program, t.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const answered: string[] = [];
    await new Promise<void>((resolve) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) if (l.startsWith('ANSWERED ')) answered.push(l.slice(9));
        if (answered.length >= 20 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => resolve());
    });
    await new Promise<void>((r) =>
      child.exitCode !== null || child.signalCode ? r() : child.once('exit', () => r()),
    );
    expect(child.signalCode).toBe('SIGKILL');
    const seen = new Set(receiptsSeenByAnotherProcess(t.url));
    expect(answered.length).toBeGreaterThanOrEqual(20);
    for (const id of answered) {
      expect(seen.has(id)).toBe(true);
      expect(seen.has(`${id}b`)).toBe(true);
    }
  });

  it('fails the writes its killed thread had not answered, keeps the answered ones, and starts again', async () => {
    t = await createTestDb('sqlite');
    const w = new SqliteSideWriter(t.url);
    writers.push(w);
    const at = new Date('2026-12-06T09:00:00Z');
    expect(await w.claimReceipts(['EvT1'], at)).toEqual(new Set(['EvT1']));
    const first = w.threadId;
    // Writes queued behind each other; the thread is killed while they are in flight.
    const inFlight = Array.from({ length: 20 }, (_, i) => w.claimReceipts([`EvT${i + 2}`], at));
    await w.kill();
    const outcomes = await Promise.allSettled(inFlight);
    const answered = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [`EvT${i + 2}`] : []));
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(String(o.reason)).toMatch(/side writer stopped/);
    }
    // The next write starts a new thread; nothing answered was lost.
    expect(await w.claimReceipts(['EvT99'], at)).toEqual(new Set(['EvT99']));
    expect(w.threadId).not.toBe(first);
    const seen = new Set(receiptsSeenByAnotherProcess(t.url));
    for (const id of ['EvT1', ...answered, 'EvT99']) expect(seen.has(id)).toBe(true);
  });

  it('waits for a Prisma transaction that has read to end before it commits', async () => {
    t = await createTestDb('sqlite');
    const w = new SqliteSideWriter(t.url);
    writers.push(w);
    const db = t.db;
    // The thread is started and its connection open before the transaction (as in a running hub).
    expect(await w.acquireLease('warm', 'x', new Date(), new Date())).toBe(true);
    const order: string[] = [];
    let sideWrite: Promise<boolean> | undefined;
    await db.$transaction(async (tx) => {
      await tx.lease.findMany();
      sideWrite = w.acquireLease('side', 'x', new Date(), new Date(Date.now() + 60_000));
      void sideWrite.then(() => order.push('side committed'));
      // Give the side write every chance to commit now (it must not): the read above holds a snapshot.
      const settled = await Promise.race([
        sideWrite.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 500)),
      ]);
      order.push(settled ? 'side committed inside the transaction' : 'transaction writes');
      await tx.lease.create({ data: { name: 'main', owner: 'y', until: new Date() } });
    });
    order.push('transaction committed');
    expect(await sideWrite).toBe(true);
    expect(order).toEqual(['transaction writes', 'transaction committed', 'side committed']);
    expect((await db.lease.findMany({ orderBy: { name: 'asc' } })).map((l) => l.name)).toEqual([
      'main',
      'side',
      'warm',
    ]);
  });
});
