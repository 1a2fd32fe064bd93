/**
 * `send-hub doctor`'s look at pending migrations, before it opens the hub (which would apply them, as every
 * other command does when no hub is running): each migration `send-hub start` would apply, from the same
 * folder (`SEND_HUB_MIGRATIONS_DIR`, tests of an upgrade only, else the committed one), said additive or not
 * (store/rolling-upgrade.ts), and the hubs using the database now. Doctor applies none of them: it is a
 * check, and an admin asks it before rolling a version out (docs/scaling.md "Upgrades").
 */
import { providerOf } from '../store/db.ts';
import { pendingMigrations } from '../store/migrate.ts';
import { describeWorker } from '../store/worker-id.ts';
import type { Config } from './config/index.ts';

/** Prints the pending migrations; true when there are some (doctor then stops: nothing else can be checked). */
export async function doctorPendingMigrations(
  config: Config,
  print: (line: string) => void,
): Promise<boolean> {
  const dir = config.env.SEND_HUB_MIGRATIONS_DIR;
  // Unreadable (a server down): opening the hub next says so. A new database: opening creates it (or refuses).
  const plan = await pendingMigrations(config.databaseUrl, dir ? { dir } : {}).catch(() => undefined);
  if (!plan || plan.applied === 0 || plan.pending.length === 0) return false;
  const sqlite = providerOf(config.databaseUrl) === 'sqlite';
  const n = plan.pending.length;
  print(
    `FAIL migrations: ${plan.applied} applied, ${n} pending (doctor applies none; \`send-hub start\` of this version applies ${n === 1 ? 'it' : 'them'} as it starts)`,
  );
  for (const m of plan.pending)
    print(
      sqlite
        ? `     ${m.name}: ${m.notAdditive ? `not additive (${m.notAdditive})` : 'additive'} (SQLite: one hub per database file, so it is applied with the hub stopped all the same)`
        : m.notAdditive
          ? `     ${m.name}: not additive: stop every hub first (${m.notAdditive})`
          : `     ${m.name}: additive: safe to roll out beside running hubs`,
    );
  if (plan.hubs.length)
    print(
      `     using the database now: ${plan.hubs.map((h) => `the hub (${describeWorker(h)})`).join(', ')}`,
    );
  print(
    `     the other checks need this version's schema: run doctor again once ${n === 1 ? 'it is' : 'they are'} applied`,
  );
  return true;
}
