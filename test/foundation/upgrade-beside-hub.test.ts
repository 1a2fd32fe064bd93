/**
 * After an upgrade adds a migration, a CLI command run while the (older) hub is still up must not migrate
 * the database under it. It says which migration is pending, which hub holds the database, and what to do;
 * before this, the schema engine met the hub's SQLite write lock and printed
 * "WASM_ERROR … unknown variant `SocketTimeout`". Once the hub has stopped, the same command migrates.
 * The hub is a separate process holding the database as a running hub does: its `deliverer:` lease
 * (scheduler/delivery-heartbeat.ts) with its own pid, and on SQLite an open write transaction.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../store/migrate.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { holdLikeAHub, sql, stop } from '../support/hub-holder.ts';

const LAST = '20261206200945_case_assignment_one_a_day';
// The schema before LAST, as the previous version left it.
const REWIND = [
  `DELETE FROM _prisma_migrations WHERE migration_name = '${LAST}'`,
  'DROP INDEX "CaseAssignment_caseId_fromOn_key"',
  'CREATE INDEX "CaseAssignment_caseId_fromOn_idx" ON "CaseAssignment"("caseId", "fromOn")',
];

describe.each(providers)('a CLI command beside a running hub after an upgrade (%s)', (provider) => {
  let session: CliSession | undefined;
  let holder: ChildProcess | undefined;
  afterEach(async () => {
    if (holder) await stop(holder);
    await session?.close();
  });

  // Three CLI processes and a holder: 32-47 s at load 19, past the 60 s default once at load 20.
  it(
    'says the hub must be stopped for the pending migration, changes nothing, and migrates once it is',
    { timeout: 300_000 },
    async () => {
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
    },
  );
});
