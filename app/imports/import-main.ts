/**
 * `send-hub import …` as its own small program. bin/send-hub.mjs sends the `import` command here instead of
 * app/cli.ts, so an import loads only the feature modules whose handlers run on what this command imports
 * (importModules below: 'incident.imported' raises concerns, 'meetings.changed' plans reminders), not the
 * Teams and Slack SDKs, the HTTP server or the metrics registry. Delivery is the
 * running hub's job (the outbox), so no channel is needed here. A big file then streams in a smaller
 * process (issue 4: peak memory; docs/imports.md "Memory").
 *
 * Keep the module list in step with app/modules.ts for every module that subscribes to an import event.
 */
import { Command } from 'commander';
import { exportKindOf } from '../../integrations/exports/connectors.ts';
import { SQLITE_SMALL_CACHE_KB } from '../../store/db.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import { createHub, type Hub } from '../container.ts';
import { prepareDatabase } from '../database.ts';
import { createLogger } from '../logger.ts';
import type { FeatureModule } from '../module.ts';
import { registerImportCli } from './import-cli.ts';
import { tuneForImport } from './import-memory.ts';

/**
 * The modules a `send-hub import <what>` process wires: those whose handlers run on what it imports, loaded
 * only for that command (issue 18: the idle process is node, tsx, Prisma and the import path; ~30 MB less
 * for `list` and `report`, which need none). In app/modules.ts order.
 * - incidents (cpoms, arbor-behaviour): safeguarding ('incident.imported' raises the concern and queues the
 *   DSL's first alert) and data protection (how a child is named in what it queues);
 * - calendars (ics, graph): deadlines and meetings ('meetings.changed' plans reminders from deadlines);
 * - students, staff, attendance, list, report: none (no module subscribes to what they write).
 */
export async function importModules(what: string | undefined): Promise<FeatureModule[]> {
  const w = (what ?? '').toLowerCase();
  const kind = exportKindOf(w);
  if (kind === 'cpoms' || kind === 'arbor-behaviour') {
    const [{ dataProtectionModule }, { safeguardingModule }] = await Promise.all([
      import('../data-protection/data-protection-module.ts'),
      import('../safeguarding/module.ts'),
    ]);
    return [dataProtectionModule(), safeguardingModule()];
  }
  if (w === 'ics' || w === 'graph') {
    const [{ deadlinesModule }, { meetingsModule }] = await Promise.all([
      import('../deadlines/module.ts'),
      import('../meetings/meetings-module.ts'),
    ]);
    return [deadlinesModule(), meetingsModule()];
  }
  return [];
}

/** The `<what>` of `send-hub import [options] <what> [file]` (options with a value skipped). */
export function importWhat(argv: string[]): string | undefined {
  const rest = argv.slice(argv.indexOf('import') + 1);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (a === '--org' || a === '--source') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

async function openHub(): Promise<Hub> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.problems.join('\n')}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.env.LOG_LEVEL === 'info' ? 'warn' : config.env.LOG_LEVEL);
  await prepareDatabase(config, { say: (line) => process.stderr.write(`${line}\n`) }).catch(
    (err: unknown) => {
      process.stderr.write(`send-hub: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
  // Delivery is the running hub's (it decides who can be reached, as it sends): issue 13.
  const modules = await importModules(importWhat(process.argv));
  // SQLite's own 2 MB page cache, not the driver's 16 MB: this process's Prisma statements are few (the run,
  // the students, the report), and the report's count of a big run's safeguarding rows filled the 16 MB
  // at the end of the import, at its peak (issue 18; store/db.ts, SQLITE_SMALL_CACHE_KB).
  return createHub(config, log, { modules, delivers: false, sqliteCacheKb: SQLITE_SMALL_CACHE_KB });
}

// Already done by bin/send-hub.mjs before these modules loaded; again for a direct `node --import tsx` run.
tuneForImport();
const program = new Command('send-hub').description('SEND and safeguarding coordination hub (imports)');
registerImportCli(program, openHub, (hub) => hub.dbh.close());
await program.parseAsync(process.argv);
