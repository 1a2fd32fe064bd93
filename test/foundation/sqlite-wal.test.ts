/**
 * SQLite runs in write-ahead-log mode (store/db.ts; docs/prisma.md): a commit waits for one sync of the log
 * instead of the rollback journal's syncs of journal and file, on the event loop (the driver is
 * synchronous). Durability is unchanged: each connection sets `synchronous = FULL` (better-sqlite3's
 * build would default to NORMAL in WAL mode, which can lose the last commits on a power cut).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { freshDatabaseUrl } from '../support/db.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('SQLite journal mode', () => {
  it('opens a migrated database in WAL mode with synchronous FULL, and commits survive a reopen', async () => {
    const { url, drop } = await freshDatabaseUrl('sqlite');
    cleanups.push(drop);
    const dbh = createDb(url);
    const [mode] = await dbh.db.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
    expect(mode?.journal_mode).toBe('wal');
    const [sync] = await dbh.db.$queryRawUnsafe<{ synchronous: bigint | number }[]>('PRAGMA synchronous');
    expect(Number(sync?.synchronous)).toBe(2); // FULL
    await dbh.db.lease.create({ data: { name: 'wal-test', owner: 'me', until: new Date() } });
    await dbh.close();
    const again = createDb(url);
    expect(await again.db.lease.count({ where: { name: 'wal-test' } })).toBe(1);
    await again.close();
  });
});
