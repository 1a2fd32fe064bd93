/**
 * `send-hub doctor` before an upgrade, from the admin's seat (the real CLI): each pending migration is listed
 * as additive ("safe to roll out beside running hubs") or not ("stop every hub first", naming the statement),
 * from the folder `send-hub start` reads (SEND_HUB_MIGRATIONS_DIR, staged as in rolling-upgrade.test.ts: the
 * committed migrations and test ones in a temporary folder), with the hub using the database named; doctor
 * applies none of them and exits 1. On SQLite (one hub per file) each is applied with the hub stopped.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../store/db.ts';
import { migrationsDir } from '../../store/migrate.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { pgAvailable } from '../support/db.ts';
import { holdLikeAHub, sql, stop } from '../support/hub-holder.ts';

const ADDITIVE = {
  name: '29991231000000_upgrade_probe',
  sql: 'ALTER TABLE "Concern" ADD COLUMN "upgradeProbe" TEXT;\nCREATE INDEX "Concern_upgradeProbe_idx" ON "Concern"("upgradeProbe");\n',
};
const NOT_ADDITIVE = {
  name: '29991231000001_drop_board_index',
  sql: '-- DropIndex\nDROP INDEX "Concern_orgId_status_raisedAt_id_idx";\n',
};

function migrationsWith(provider: Provider, extras: { name: string; sql: string }[]): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-migrations-')), 'migrations');
  fs.cpSync(migrationsDir(provider), dir, { recursive: true });
  for (const x of extras) {
    fs.mkdirSync(path.join(dir, x.name));
    fs.writeFileSync(path.join(dir, x.name, 'migration.sql'), x.sql);
  }
  return dir;
}

const committed = (provider: Provider) =>
  fs.readdirSync(migrationsDir(provider), { withFileTypes: true }).filter((d) => d.isDirectory()).length;

describe('send-hub doctor with pending migrations', () => {
  let session: CliSession | undefined;
  const holders: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const h of holders.splice(0)) await stop(h);
    await session?.close();
    session = undefined;
    for (const d of dirs.splice(0)) fs.rmSync(path.dirname(d), { recursive: true, force: true });
  });

  const applied = async (provider: Provider) =>
    Number(
      (
        await sql<{ n: string | number }>(
          provider,
          String(session?.env.DATABASE_URL),
          `SELECT COUNT(*) AS n FROM _prisma_migrations WHERE migration_name LIKE '2999%'`,
        )
      )[0]?.n,
    );

  it.skipIf(!pgAvailable)(
    'PostgreSQL beside a running hub: says which is additive and which needs every hub stopped, applies none',
    { timeout: 300_000 },
    async () => {
      const dir = migrationsWith('postgres', [ADDITIVE, NOT_ADDITIVE]);
      dirs.push(dir);
      session = await cliSession('postgres', { SEND_HUB_MIGRATIONS_DIR: dir });
      const holder = await holdLikeAHub('postgres', String(session.env.DATABASE_URL));
      holders.push(holder);

      const r = await session.cli('doctor');
      expect(r.code).toBe(1);
      expect(r.out).toContain(
        [
          `FAIL migrations: ${committed('postgres')} applied, 2 pending (doctor applies none; \`send-hub start\` of this version applies them as it starts)`,
          `     ${ADDITIVE.name}: additive: safe to roll out beside running hubs`,
          `     ${NOT_ADDITIVE.name}: not additive: stop every hub first (drop index "Concern_orgId_status_raisedAt_id_idx")`,
          `     using the database now: the hub (pid ${holder.pid} on ${os.hostname()})`,
          `     the other checks need this version's schema: run doctor again once they are applied`,
        ].join('\n'),
      );
      expect(await applied('postgres')).toBe(0);
    },
  );

  it(
    'SQLite, no hub running: lists the migration, applied with the hub stopped, and applies none',
    { timeout: 300_000 },
    async () => {
      const dir = migrationsWith('sqlite', [ADDITIVE]);
      dirs.push(dir);
      session = await cliSession('sqlite', { SEND_HUB_MIGRATIONS_DIR: dir });
      const r = await session.cli('doctor');
      expect(r.code).toBe(1);
      expect(r.out).toContain(
        [
          `FAIL migrations: ${committed('sqlite')} applied, 1 pending (doctor applies none; \`send-hub start\` of this version applies it as it starts)`,
          `     ${ADDITIVE.name}: additive (SQLite: one hub per database file, so it is applied with the hub stopped all the same)`,
          `     the other checks need this version's schema: run doctor again once it is applied`,
        ].join('\n'),
      );
      expect(await applied('sqlite')).toBe(0);
      // Without the test folder, the committed migrations are all applied: doctor goes on to its other checks.
      const plain = await session.cliWith({ SEND_HUB_MIGRATIONS_DIR: '' }, 'doctor');
      expect(plain.out).toMatch(/ok {3}migrations: \d+ applied, 0 pending, 0 failed/);
    },
  );
});
