/**
 * `send-hub`: the command line. `start` runs the hub; the other commands open the same database and
 * exit. Feature modules add their own subcommands (import, case, audit, keys …).
 */
import { Command } from 'commander';
import { isDomainError } from '../core/errors.ts';
import { createDb } from '../store/db.ts';
import { migrationStatus } from '../store/migrate.ts';
import { OrgRepository } from '../store/org-repository.ts';
import { type Config, ConfigError, loadConfig } from './config/index.ts';
import { doctorSafeguardingLines } from './config/safeguarding.ts';
import { contactsDoctorLine } from './contacts/contacts-module.ts';
import { createHub, type Hub } from './container.ts';
import { prepareDatabase } from './database.ts';
import { errorLine } from './db-trouble.ts';
import { registerCaseloadCli } from './deadlines/caseload-cli.ts';
import { dueLineFormatter } from './deadlines/due-lines.ts';
import { dueIdText, dueRead } from './deadlines/due-list.ts';
import { problemLine } from './deadlines/truth.ts';
import { loadDemoSchool } from './demo/demo-school.ts';
import { doctorPendingMigrations } from './doctor-migrations.ts';
import { resolveImportOrg } from './imports/resolve-org.ts';
import { createLogger } from './logger.ts';
import { defaultModules } from './modules.ts';
import { ORG_CREATE_HINT, registerOrgCli } from './orgs/org-cli.ts';
import { doctorLine, firstAlertStatus } from './safeguarding/first-alerts.ts';
import { healthReport, VERSION } from './server.ts';
import { registerStaffCli } from './staff/staff-cli.ts';
import { startHub } from './start.ts';
import { hubLogger } from './terminal-log.ts';

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.problems.join('\n')}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function openHub(config: Config): Promise<Hub> {
  const log = createLogger(config.env.LOG_LEVEL === 'info' ? 'warn' : config.env.LOG_LEVEL);
  await prepareDatabase(config, { say: (line) => process.stderr.write(`${line}\n`) });
  // The CLI writes to the outbox; the running hub sends it and decides who can be reached (issue 13).
  const hub = await createHub(config, log, { modules: defaultModules(), delivers: false });
  return hub;
}

const closeHub = async (hub: Hub) => {
  await hub.dbh.close();
};

export function buildProgram(): Command {
  const program = new Command('send-hub')
    .version(VERSION)
    .description('SEND and safeguarding coordination hub');

  program
    .command('init')
    .description('create and migrate a new database (production refuses to start on a missing one)')
    .action(async () => {
      const config = configOrExit();
      const applied = await prepareDatabase(config, { create: true, say: (line) => console.log(line) });
      // A real installation's next step is its organisation (audit finding 3); with one, the hub can start.
      // The database alone (no hub: nothing else is made, no key is generated).
      const dbh = createDb(config.databaseUrl);
      const orgs = await new OrgRepository(dbh.db).count().finally(() => dbh.close());
      console.log(
        orgs === 0
          ? `Database ready (${applied.length} migration(s) applied). Next, create your school or local authority and its first administrator:\n  ${ORG_CREATE_HINT}\nthen import staff and pupils (send-hub import arbor-staff <file>, send-hub import students <file>) and start the hub: send-hub start. (send-hub demo loads a fictional school instead.)`
          : `Database ready (${applied.length} migration(s) applied). Start the hub with: send-hub start`,
      );
    });

  program
    .command('start')
    .description('run the hub: HTTP server, scheduler, delivery, chat channels')
    .action(async () => {
      const config = configOrExit();
      // At a terminal with the console on, the log goes to a file and the terminal reads as a conversation.
      const { log, file: logFile } = hubLogger(config);
      try {
        await startHub(config, log, { installSignalHandlers: true, ...(logFile ? { logFile } : {}) });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const line =
          e.code === 'EADDRINUSE'
            ? `send-hub: port ${config.env.PORT} is in use (another send-hub?): set PORT to a free port`
            : `send-hub: could not start: ${errorLine(e)}`;
        process.stderr.write(`${line}\n`);
        process.exit(1);
      }
    });

  program
    .command('demo')
    .description('load the fictional demo school into an empty database')
    .option('--force', 'load even when the database already has organisations')
    .action(async (opts: { force?: boolean }) => {
      const hub = await openHub(configOrExit());
      try {
        if ((await hub.orgs.count()) > 0 && !opts.force) {
          console.log('The database already has an organisation; use --force to add the demo school anyway.');
          return;
        }
        const { orgId } = await loadDemoSchool(hub.dbh.db, hub.clock.now());
        console.log(`Demo school loaded (organisation ${orgId}).`);
      } finally {
        await closeHub(hub);
      }
    });

  program
    .command('due')
    .description('list reminders (and deadlines) due soon')
    .option('--within <span>', 'how far ahead, e.g. 14d or 48h', '14d')
    .option('--owner <email>', 'only this member of staff')
    .option('--org <id>', 'only this organisation (default: every organisation)')
    .action(async (opts: { within: string; owner?: string; org?: string }) => {
      const m = /^(\d+)([dh])$/.exec(opts.within);
      if (!m) {
        console.error(`--within "${opts.within}": expected a number of days or hours, like 14d or 48h`);
        process.exitCode = 2;
        return;
      }
      const ms = Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000);
      const hub = await openHub(configOrExit());
      try {
        // --org as `case list` and `register` take it (audit finding 10): an unknown id is refused, naming
        // send-hub org list.
        let orgId: string | undefined;
        try {
          orgId = opts.org === undefined ? undefined : await resolveImportOrg(hub, opts.org);
        } catch (err) {
          if (!isDomainError(err)) throw err;
          console.error(`--org: ${err.message}`);
          process.exitCode = 2;
          return;
        }
        const owner = opts.owner ? await hub.staff.byEmail(opts.owner.toLowerCase(), orgId) : undefined;
        if (opts.owner && !owner) {
          console.error(`--owner: no member of staff has the email ${opts.owner}`);
          process.exitCode = 2;
          return;
        }
        const rows = await hub.reminders.upcoming(orgId, new Date(hub.clock.now().getTime() + ms), owner?.id);
        // The deadline engine (app/deadlines) lists statutory deadlines first, overdue included.
        const deadlines = hub.services.get('deadlines') as
          | import('./deadlines/service.ts').DeadlineService
          | undefined;
        const days = Math.ceil(ms / 86_400_000);
        const scope = { ...(orgId ? { orgId } : {}), ...(owner ? { ownerId: owner.id } : {}) };
        // As the next tick will store them, with the cases lacking deadlines (app/deadlines/due-list.ts).
        const due = deadlines ? await dueRead(deadlines, days, scope) : undefined;
        const dl = due?.rows ?? [];
        // People by name and email, meetings by type and date, the child by initials (issue 14 point 3).
        const lines = await dueLineFormatter(
          hub,
          rows,
          dl.map((d) => d.ownerId),
        );
        for (const d of dl)
          console.log(
            `${d.dueOn}  ${(d.overdue ? 'OVERDUE' : d.status).padEnd(8)}  ${d.ruleName}  ${d.student}  case ${d.caseRef}  owner ${lines.ownerCli(d.ownerId)}  [${dueIdText(d.id)}]${d.dayNote}`,
          );
        // Cases that cannot show all their deadlines say why (issue 14: no silent emptiness).
        for (const p of due?.problems ?? []) console.log(`ATTENTION  ${problemLine(p)}`);
        if (rows.length === 0 && dl.length === 0) console.log(`Nothing due within ${opts.within}.`);
        for (const r of rows) console.log(lines.reminderCli(r));
      } finally {
        await closeHub(hub);
      }
    });

  program
    .command('tick')
    .description(
      'run one planner tick (due reminders go to the outbox for the running hub to deliver), then exit',
    )
    .action(async () => {
      const hub = await openHub(configOrExit());
      try {
        const report = await hub.scheduler.tick();
        console.log(JSON.stringify(report.planners));
      } finally {
        await closeHub(hub);
      }
    });

  program
    .command('doctor')
    .description('check configuration, database, migrations and channel credentials')
    .action(async () => {
      let config: Config;
      try {
        config = loadConfig();
        console.log('ok   configuration');
        // The safeguarding category lists (file or env) and alert routes, named (docs/imports.md).
        const sg = doctorSafeguardingLines(config);
        for (const line of sg.lines) console.log(line);
        if (!sg.ok) process.exitCode = 1;
      } catch (err) {
        console.log(
          `FAIL configuration\n${err instanceof ConfigError ? err.problems.join('\n') : String(err)}`,
        );
        process.exitCode = 1;
        return;
      }
      // Pending migrations are listed, additive or not, and not applied (app/doctor-migrations.ts).
      if (await doctorPendingMigrations(config, (line) => console.log(line))) {
        process.exitCode = 1;
        return;
      }
      const hub = await openHub(config).catch((err: unknown) => {
        console.log(
          `FAIL database ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')}: ${err instanceof Error ? err.message : String(err)}`,
        );
        process.exitCode = 1;
        return undefined;
      });
      if (!hub) return;
      try {
        const status = await migrationStatus(
          (sql) =>
            hub.dbh.db.$queryRawUnsafe(sql) as Promise<
              { migration_name: string; finished_at: unknown; rolled_back_at: unknown }[]
            >,
          hub.dbh.provider,
          config.env.SEND_HUB_MIGRATIONS_DIR,
        );
        const migOk = status.pending.length === 0 && status.failed.length === 0;
        console.log(
          `${migOk ? 'ok  ' : 'FAIL'} migrations: ${status.applied} applied, ${status.pending.length} pending, ${status.failed.length} failed`,
        );
        const health = await healthReport(hub);
        console.log(`${health.status === 'ok' ? 'ok  ' : 'WARN'} health: ${JSON.stringify(health)}`);
        const dl = (health as { modules?: Record<string, Record<string, unknown>> }).modules?.deadlines;
        if (dl)
          console.log(
            `${dl.casesUnknownPack ? 'WARN' : 'ok  '} deadlines: ${Number(dl.casesUnknownPack ?? 0)} open cases with an unknown rule pack, ${Number(dl.casesWaitingForEvent ?? 0)} waiting for a key date, ${Number(dl.casesNeedTermDates ?? 0)} needing the school's term dates (send-hub case timeline <case> says why)`,
          );
        // Concerns raised (e.g. by `send-hub import`) that no ladder message has reached yet (issue 13).
        if (hub.services.has('safeguarding')) console.log(doctorLine(await firstAlertStatus(hub)));
        // Who on the safeguarding rota has no verified e-mail or mobile (issue 16).
        console.log(await contactsDoctorLine(hub));
        if (!migOk || health.status === 'down') process.exitCode = 1;
      } finally {
        await closeHub(hub);
      }
    });

  for (const m of defaultModules()) {
    m.cli?.(program, () => openHub(configOrExit()), closeHub);
  }
  registerOrgCli(program, () => openHub(configOrExit()), closeHub);
  registerStaffCli(program, () => openHub(configOrExit()), closeHub);
  registerCaseloadCli(program, () => openHub(configOrExit()), closeHub);
  return program;
}

// A failing command says what failed in one line; never a stack trace (the log has the detail).
await buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`send-hub: ${errorLine(err)}\n`);
    process.exitCode = 1;
  });
