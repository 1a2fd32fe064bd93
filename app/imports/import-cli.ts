/**
 * `send-hub import <kind> <file>` (progress bar on a terminal), `send-hub import report <id>`,
 * `send-hub import list`, `send-hub import ics <file|url>`, `send-hub import graph`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command as CliProgram } from 'commander';
import { isDomainError } from '../../core/errors.ts';
import { EXPORT_KINDS, exportKindOf } from '../../integrations/exports/connectors.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import type { Hub } from '../container.ts';
import { firstAlertStatus, noHubLine } from '../safeguarding/first-alerts.ts';
import { resolveImportOrg } from './resolve-org.ts';
import { formatReport, runImport, safeguardingRowsOf } from './run-import.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
  setExitCode(code: number): void;
}

const processIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  isTTY: Boolean(process.stderr.isTTY),
  setExitCode: (c) => {
    process.exitCode = c;
  },
};

async function runAction(
  hub: Hub,
  what: string,
  arg: string | undefined,
  opts: { org?: string; source?: string; all?: boolean; rekey?: boolean },
  io: CliIo,
) {
  const repo = new ImportRepository(hub.dbh.db);
  if (what === 'report') {
    if (!arg) return usage(io, 'import report <id>');
    const run = await repo.byId(arg);
    if (!run) {
      io.err(`no import run ${arg}`);
      return io.setExitCode(1);
    }
    io.out(
      formatReport(
        run,
        await repo.rejections(run.id, opts.all ? 1_000_000 : 200),
        await safeguardingRowsOf(hub, run, opts.all ? 1_000_000 : 200),
      ),
    );
    return;
  }
  if (what === 'list') {
    const orgId = opts.org ?? null;
    for (const r of await repo.recent(orgId, 20))
      io.out(
        `${r.id}  ${r.startedAt.toISOString()}  ${r.kind.padEnd(16)} ${r.status.padEnd(9)} read ${r.rowsRead} created ${r.created} updated ${r.updated} unchanged ${r.unchanged} rejected ${r.rejected}  ${r.fileName}`,
      );
    return;
  }
  const orgId = await resolveImportOrg(hub, opts.org);
  if (what === 'graph') {
    // Calendar syncs load their readers (the Graph client, ical.js) only when run: an export import does not
    // need them in memory (issue 18).
    const { graphClientFromConfig, syncGraphCalendars } = await import('./sync-graph-calendars.ts');
    const client = graphClientFromConfig(hub);
    if (!client) {
      io.err(
        'Microsoft Graph is not configured: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and GRAPH_CALENDAR_USERS',
      );
      return io.setExitCode(2);
    }
    const r = await syncGraphCalendars(hub, { orgId, client });
    io.out(
      `Graph: ${r.users} calendars; meetings created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, cancelled ${r.cancelled}${r.invalid ? `; ${r.invalid} event(s) left out` : ''}${r.failed ? `; ${r.failed} calendar(s) not synced` : ''}`,
    );
    for (const p of r.problems)
      io.out(
        `  ${p.group ? `group ${p.group}` : `user ${p.user}`}${p.event ? `, ${p.event}, ${p.field}` : ''}: ${p.reason}`,
      );
    if (r.failed > 0 && r.users === 0) io.setExitCode(1);
    return;
  }
  if (!arg) return usage(io, 'import <kind> <file>');
  if (what === 'ics') {
    const isUrl = /^https?:\/\//.test(arg);
    if (!isUrl && !fs.existsSync(arg)) {
      io.err(`${arg}: no such file`);
      return io.setExitCode(2);
    }
    const source = opts.source ?? (isUrl ? new URL(arg).hostname : path.basename(arg, path.extname(arg)));
    const { syncIcsFeed } = await import('./sync-ics-feed.ts');
    const r = await syncIcsFeed(
      hub,
      isUrl ? { orgId, source, url: arg, via: 'cli' } : { orgId, source, path: arg, via: 'cli' },
    );
    io.out(
      `ICS ${r.source}: ${r.occurrences} events; meetings created ${r.meetings.created}, updated ${r.meetings.updated}, unchanged ${r.meetings.unchanged}, cancelled ${r.meetings.cancelled}; term dates created ${r.termDates.created}, updated ${r.termDates.updated}, removed ${r.termDates.removed}${r.rejected.length ? `; ${r.rejected.length} event(s) rejected` : ''}`,
    );
    for (const x of r.rejected) io.out(`  ${x.file} line ${x.line} (${x.event}), ${x.field}: ${x.reason}`);
    for (const x of r.notices)
      io.out(`  kept, cut: ${x.file} line ${x.line} (${x.event}), ${x.field}: ${x.reason}`);
    for (const line of r.termSummary) io.out(line);
    if (r.runId) io.out(`report: send-hub import report ${r.runId}`);
    return;
  }
  const kind = exportKindOf(what);
  if (!kind) {
    io.err(
      `unknown export kind "${what}": expected one of ${EXPORT_KINDS.join(', ')}, ics, graph, report, list`,
    );
    return io.setExitCode(2);
  }
  if (opts.rekey && kind !== 'arbor-students') {
    io.err('--rekey is for a students import only (send-hub import students <file> --rekey)');
    return io.setExitCode(2);
  }
  if (!fs.existsSync(arg)) {
    io.err(`${arg}: no such file`);
    return io.setExitCode(2);
  }
  // cli-progress only on a terminal (it is not needed, nor loaded, for a piped or scheduled run).
  const cliProgress = io.isTTY ? (await import('cli-progress')).default : null;
  const bar = cliProgress
    ? new cliProgress.SingleBar(
        { format: `${kind} [{bar}] {value}/{total} rows`, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  const run = await runImport(hub, {
    orgId,
    kind,
    source: { name: path.basename(arg), path: arg },
    via: 'cli',
    rekey: opts.rekey,
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
  }).finally(() => bar?.stop());
  if (run.status === 'REFUSED') {
    io.err(run.message ?? 'refused');
    io.err(`report: send-hub import report ${run.id}`);
    return io.setExitCode(1);
  }
  io.out(formatReport(run, await repo.rejections(run.id, 20), await safeguardingRowsOf(hub, run, 20)));
  if (run.rejected > 0) io.out(`full list: send-hub import report ${run.id} --all`);
  // The running hub alerts the DSL within seconds; with none running, say so (issue 13).
  const noHub = noHubLine(await firstAlertStatus(hub, orgId));
  if (noHub) io.out(noHub);
}

function usage(io: CliIo, text: string) {
  io.err(`usage: send-hub ${text}`);
  io.setExitCode(2);
}

export function registerImportCli(
  program: CliProgram,
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
  io: CliIo = processIo,
): void {
  program
    .command('import')
    .description(
      `import an export or calendar, or show an import report (kinds: ${EXPORT_KINDS.join(', ')}, ics, graph)`,
    )
    .argument('<what>', 'an export kind, "ics", "graph", "report" or "list"')
    .argument('[file]', 'the file to import (a URL for ics), or the report id')
    .option('--org <id>', 'organisation (default: IMPORT_ORG_ID or the only one)')
    .option('--source <name>', 'ICS feed name (default: the file name)')
    .option('--all', 'report: every rejected row')
    .option(
      '--rekey',
      'students, after a change of MIS: a row whose UPN is a student known by another MIS id moves that student to the new id (audited)',
    )
    .action(
      async (
        what: string,
        file: string | undefined,
        opts: { org?: string; source?: string; all?: boolean; rekey?: boolean },
      ) => {
        const hub = await open();
        try {
          await runAction(hub, what.toLowerCase(), file, opts, io);
        } catch (err) {
          if (!isDomainError(err)) throw err;
          io.err(err.message);
          io.setExitCode(1);
        } finally {
          await close(hub);
        }
      },
    );
}
