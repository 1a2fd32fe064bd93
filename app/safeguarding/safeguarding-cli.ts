/**
 * `send-hub concern chronology <id>` (a DSL's export: Markdown or JSON) and `send-hub rota show|load`.
 * The chronology lists every audited step (who, what, when, which channel); the record text is added
 * only with --include-text, and every export is itself audited.
 */
import fs from 'node:fs';
import type { Command as CliProgram } from 'commander';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { reportDelay } from '../../core/escalations/report-delay.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { incidentSecret } from '../../store/incident-import-repository.ts';
import type { Hub } from '../container.ts';
import { TEXT_CONTEXT } from './concern-service.ts';
import { loadRotaFile } from './load-rota.ts';
import { safeguardingOf } from './module.ts';
import { describeRota } from './rota-command.ts';

export async function chronologyExport(
  hub: Hub,
  given: string,
  opts: { format: 'md' | 'json'; includeText: boolean },
): Promise<string> {
  const { service } = safeguardingOf(hub);
  // The reference (C-1A2B3C), the only identifier a DSL is shown, or the id (as `concern link` takes it).
  const c = await service.concerns.byRef(null, given);
  if (!c) throw new Error(`concern ${given.slice(0, 40)} was not found (give its reference, e.g. C-1A2B3C)`);
  const id = c.id;
  const student = await service.subjects.student(c.studentId);
  const events = await service.chronology(id);
  const secret = opts.includeText ? await service.concerns.secretFields(id) : null;
  const text = secret ? hub.cipher.decrypt(secret.textEnc, TEXT_CONTEXT) : undefined;
  // The raiser's words, or the actions the imported incident recorded (audit finding 5).
  const actions = secret ? await service.actionsTaken(c, secret.actionsTakenEnc) : undefined;
  // A concern raised from an imported incident: the imported record's own text (a SIMS "Comments" or CPOMS
  // narrative, stored encrypted) belongs in the DSL's record too (docs/imports.md).
  const imported =
    opts.includeText && c.source === 'incident' && c.externalId
      ? await incidentSecret(hub.dbh.db, c.externalId)
      : null;
  const importedRecord = imported
    ? {
        source: imported.source,
        externalId: imported.externalId,
        text: imported.textEnc ? hub.cipher.decrypt(imported.textEnc, 'Incident.textEnc') : '',
        actions: imported.actionsEnc ? hub.cipher.decrypt(imported.actionsEnc, 'Incident.actionsEnc') : '',
      }
    : null;
  await hub.audit.record({
    orgId: c.orgId,
    actorKind: 'admin-cli',
    action: 'concern.chronology_exported',
    subjectType: 'concern',
    subjectId: id,
    studentId: c.studentId,
    channel: 'CLI',
    details: { format: opts.format, includeText: opts.includeText },
  });
  const header = {
    ref: concernRef(id),
    id,
    pupil: student
      ? opts.includeText
        ? `${student.givenName} ${student.familyName} ${studentLabel(student)}`
        : studentLabel(student)
      : null,
    category: c.category,
    immediateRisk: c.immediateRisk,
    occurredAt: c.occurredAt.toISOString(),
    raisedAt: c.raisedAt.toISOString(),
    status: c.status,
    outcome: c.outcome,
    outcomeAt: c.outcomeAt?.toISOString() ?? null,
  };
  const delay = reportDelay(c.occurredAt, c.raisedAt);
  if (opts.format === 'json') {
    return `${JSON.stringify({ ...header, ...(opts.includeText ? { text, actionsTaken: actions ?? '', importedRecord } : {}), chronology: events }, null, 2)}\n`;
  }
  const lines = [
    `# Safeguarding concern ${header.ref}: chronology`,
    '',
    `- Pupil: ${header.pupil ?? '?'}`,
    `- Category: ${header.category}`,
    `- Immediate risk: ${header.immediateRisk ? 'yes' : 'no'}`,
    `- Happened: ${header.occurredAt}`,
    `- Raised: ${header.raisedAt}${delay ? ` (${delay} after it happened)` : ''}`,
    `- Status: ${header.status}${header.outcome ? ` (outcome: ${header.outcome} at ${header.outcomeAt})` : ''}`,
    '',
    ...(opts.includeText
      ? [
          '## What was seen or heard',
          '',
          text ?? '',
          '',
          '## Actions already taken',
          '',
          actions || 'none recorded',
          '',
        ]
      : []),
    ...(importedRecord
      ? [
          `## The imported record (${importedRecord.source} incident ${importedRecord.externalId})`,
          '',
          importedRecord.text || 'no text in the export',
          ...(importedRecord.actions ? ['', `Actions: ${importedRecord.actions}`] : []),
          '',
        ]
      : []),
    '## Chronology (audit trail)',
    '',
    '| When (UTC) | What | Who | Channel | Details |',
    '|---|---|---|---|---|',
    ...events.map(
      (e) =>
        `| ${e.at} | ${e.what} | ${e.who ?? 'system'} | ${e.channel ?? ''} | ${e.details ? JSON.stringify(e.details).replaceAll('|', '\\|') : ''} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

export function registerSafeguardingCli(
  program: CliProgram,
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
): void {
  const concern = program.command('concern').description('safeguarding concerns');
  concern
    .command('chronology <ref>')
    .description(
      "export a concern's chronology for the DSL (Markdown or JSON), by its reference (C-1A2B3C) or id",
    )
    .option('--format <format>', 'md or json', 'md')
    .option('--include-text', 'include the concern text and the pupil name (the DSL record)', false)
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, o: { format: string; includeText: boolean; out?: string }) => {
      const hub = await open();
      try {
        const out = await chronologyExport(hub, id, {
          format: o.format === 'json' ? 'json' : 'md',
          includeText: o.includeText,
        });
        if (o.out) fs.writeFileSync(o.out, out, { mode: 0o600 });
        else process.stdout.write(out);
      } catch (err) {
        process.stderr.write(`send-hub concern chronology: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await close(hub);
      }
    });

  concern
    .command('link <ref> <student...>')
    .description('link a concern recorded "not on roll" to a pupil record (UPN, id or full name); audited')
    .action(async (ref: string, student: string[]) => {
      const hub = await open();
      try {
        const r = await safeguardingOf(hub).service.linkStudent(null, ref, student.join(' '), 'CLI');
        process.stdout.write(`${r.text}\n`);
      } catch (err) {
        process.stderr.write(`send-hub concern link: ${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await close(hub);
      }
    });

  const rota = program.command('rota').description('the safeguarding (DSL) rota');
  rota
    .command('show')
    .description('who is on the escalation ladder now, per organisation')
    .action(async () => {
      const hub = await open();
      try {
        const { service } = safeguardingOf(hub);
        for (const org of await hub.orgs.all()) {
          const d = await describeRota(hub, service, org.id);
          process.stdout.write(`${org.name}: ${d.title}\n`);
          for (const s of d.sections)
            process.stdout.write(`  ${s.heading}:\n${s.lines.map((l) => `    ${l}`).join('\n')}\n`);
        }
      } finally {
        await close(hub);
      }
    });
  rota
    .command('load <file>')
    .description("replace an organisation's rota from a YAML or JSON file")
    .action(async (file: string) => {
      const hub = await open();
      try {
        const r = await loadRotaFile(hub, safeguardingOf(hub).service, file, 'CLI');
        process.stdout.write(`Loaded ${r.entries} rota entries.\n`);
      } catch (err) {
        process.stderr.write(`${(err as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await close(hub);
      }
    });
}
