/**
 * `send-hub import …` as its own small program. bin/send-hub.mjs sends the `import` command here instead of
 * app/cli.ts, so an import loads only the feature modules whose handlers run on imported records (deadlines,
 * imports, data protection, meetings, safeguarding: 'incident.imported' raises concerns, 'meetings.changed'
 * plans reminders), not the Teams and Slack SDKs, the HTTP server or the metrics registry. Delivery is the
 * running hub's job (the outbox), so no channel is needed here. A big file then streams in a smaller
 * process (issue 4: peak memory; docs/imports.md "Memory").
 *
 * Keep the module list in step with app/modules.ts for every module that subscribes to an import event.
 */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/index.ts';
import { createHub, type Hub } from '../container.ts';
import { dataProtectionModule } from '../data-protection/data-protection-module.ts';
import { prepareDatabase } from '../database.ts';
import { deadlinesModule } from '../deadlines/module.ts';
import { createLogger } from '../logger.ts';
import { meetingsModule } from '../meetings/meetings-module.ts';
import type { FeatureModule } from '../module.ts';
import { safeguardingModule } from '../safeguarding/module.ts';
import { registerImportCli } from './import-cli.ts';
import { tuneForImport } from './import-memory.ts';
import { importsModule } from './imports-module.ts';

/** The modules an import process wires (a subset of app/modules.ts, in the same order). */
export function importModules(): FeatureModule[] {
  return [deadlinesModule(), importsModule(), dataProtectionModule(), meetingsModule(), safeguardingModule()];
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
  return createHub(config, log, { modules: importModules(), delivers: false });
}

// Already done by bin/send-hub.mjs before these modules loaded; again for a direct `node --import tsx` run.
tuneForImport();
const program = new Command('send-hub').description('SEND and safeguarding coordination hub (imports)');
registerImportCli(program, openHub, (hub) => hub.dbh.close());
await program.parseAsync(process.argv);
