/**
 * A rolling upgrade on PostgreSQL, from the admin's seat: `send-hub start` of a new version beside a hub of
 * the older one still running. A pending migration that is not additive (store/rolling-upgrade.ts)
 * is refused with one line naming it, the statement, the running hub and what to do, and nothing is changed;
 * once that hub has stopped, the same start applies it. An additive one is applied beside the running hub,
 * as before. The real CLI, with the committed migrations plus one test migration in a temporary folder
 * (SEND_HUB_MIGRATIONS_DIR); the older hub is a process holding the database as a hub does
 * (test/support/hub-holder.ts). SQLite is one hub process and unchanged (upgrade-beside-hub.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../store/migrate.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { pgAvailable } from '../support/db.ts';
import { holdLikeAHub, sql, stop } from '../support/hub-holder.ts';

const NOT_ADDITIVE = {
  name: '29991231000000_drop_board_index',
  sql: '-- DropIndex\nDROP INDEX "Concern_orgId_status_raisedAt_id_idx";\n',
};
const ADDITIVE = {
  name: '29991231000000_upgrade_probe',
  sql: `CREATE TABLE "UpgradeProbe" ("id" TEXT NOT NULL, CONSTRAINT "UpgradeProbe_pkey" PRIMARY KEY ("id"));
ALTER TABLE "Concern" ADD COLUMN "upgradeProbe" TEXT;
CREATE INDEX "Concern_upgradeProbe_idx" ON "Concern"("upgradeProbe");
`,
};

/** The committed PostgreSQL migrations and one more, in a temporary folder. */
function migrationsWith(extra: { name: string; sql: string }): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-migrations-')), 'migrations');
  fs.cpSync(migrationsDir('postgres'), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, extra.name));
  fs.writeFileSync(path.join(dir, extra.name, 'migration.sql'), extra.sql);
  return dir;
}

/** `send-hub start` as a process; resolves once it listens (or rejects with what it printed). */
function startHub(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/send-hub.mjs', 'start'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('SEND Hub listening on')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`send-hub start exited (${code}): ${out}${err}`)));
  });
}

const sigterm = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe.skipIf(!pgAvailable)('send-hub start beside an older hub on PostgreSQL (a rolling upgrade)', () => {
  let session: CliSession | undefined;
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) await sigterm(c);
    await session?.close();
    for (const d of dirs.splice(0)) fs.rmSync(path.dirname(d), { recursive: true, force: true });
  });

  async function setUp(extra: { name: string; sql: string }) {
    const dir = migrationsWith(extra);
    dirs.push(dir);
    session = await cliSession('postgres', {
      SEND_HUB_MIGRATIONS_DIR: dir,
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE_CHANNEL: 'off',
      DEMO: 'off',
    });
    const url = session.env.DATABASE_URL as string;
    const holder = await holdLikeAHub('postgres', url);
    children.push(holder);
    const applied = async () =>
      Number(
        (
          await sql<{ n: string }>(
            'postgres',
            url,
            `SELECT COUNT(*) AS n FROM _prisma_migrations WHERE migration_name = '${extra.name}' AND finished_at IS NOT NULL`,
          )
        )[0]?.n,
      );
    const index = async (name: string) =>
      (await sql('postgres', url, `SELECT 1 FROM pg_indexes WHERE indexname = '${name}'`)).length;
    return { session, holder, applied, index };
  }

  // Three to four CLI processes, each loading the hub: minutes under load.
  it(
    'refuses a migration that is not additive in one line, changes nothing, and applies it once the older hub has stopped',
    { timeout: 300_000 },
    async () => {
      const { session, holder, applied, index } = await setUp(NOT_ADDITIVE);

      const refused = await session.cli('start');
      expect(refused.code).toBe(1);
      expect(refused.err.trim()).toBe(
        `send-hub: could not start: migration ${NOT_ADDITIVE.name} is not additive (drop index "Concern_orgId_status_raisedAt_id_idx") and the hub (pid ${holder.pid} on ${os.hostname()}) still runs the older version on this database: a rolling upgrade is safe only for additive migrations. Stop every running hub, then start this one (it applies the migration as it starts), then the others`,
      );
      expect(await applied()).toBe(0);
      expect(await index('Concern_orgId_status_raisedAt_id_idx')).toBe(1);

      await stop(holder);
      const hub = await startHub(session.env);
      children.push(hub);
      expect(await applied()).toBe(1);
      expect(await index('Concern_orgId_status_raisedAt_id_idx')).toBe(0);
      expect(await sigterm(hub)).toBe(0);
    },
  );

  it(
    'applies an additive migration as it starts beside the older hub, which keeps running',
    { timeout: 300_000 },
    async () => {
      const { session, holder, applied, index } = await setUp(ADDITIVE);

      const hub = await startHub(session.env);
      children.push(hub);
      expect(await applied()).toBe(1);
      expect(await index('Concern_upgradeProbe_idx')).toBe(1);
      expect(holder.exitCode).toBeNull();
      expect(await sigterm(hub)).toBe(0);
    },
  );
});
