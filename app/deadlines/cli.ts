/**
 * `send-hub case …` and `send-hub holidays …`: how an administrator reaches the deadline engine from the
 * command line (open a case with its key date, record key dates, read the timeline, refresh holidays).
 */
import fs from 'node:fs';
import type { Command as CliProgram } from 'commander';
import { type CaseKind, caseKinds } from '../../core/deadlines/types.ts';
import { isDomainError } from '../../core/errors.ts';
import { parseGovUkFeed } from '../../integrations/bank-holidays/bank-holidays.ts';
import type { Hub } from '../container.ts';
import { registerCaseHandoverCli } from './case-handover-cli.ts';
import type { DeadlineService } from './service.ts';

const CLI_WHO = { actorId: null, actorKind: 'admin-cli' as const, channel: 'CLI' as const };

const svcOf = (hub: Hub) => hub.services.get('deadlines') as DeadlineService;

async function withHub(
  open: () => Promise<Hub>,
  close: (h: Hub) => Promise<void>,
  fn: (h: Hub, s: DeadlineService) => Promise<void>,
) {
  const hub = await open();
  try {
    await fn(hub, svcOf(hub));
  } catch (err) {
    if (isDomainError(err)) {
      console.error(`send-hub: ${err.message}`);
      process.exitCode = 2;
    } else throw err;
  } finally {
    await close(hub);
  }
}

async function resolveCase(svc: DeadlineService, ref: string): Promise<string | null> {
  if (await svc.cases.byId(ref)) return ref;
  return (await svc.cases.byReference(undefined, ref))?.id ?? null;
}

export function deadlinesCli(
  program: CliProgram,
  open: () => Promise<Hub>,
  close: (h: Hub) => Promise<void>,
): void {
  const kase = program
    .command('case')
    .description('statutory cases: open, record key dates, timeline, hand over');

  kase
    .command('open')
    .description('open a case with its start date; its deadlines are computed at once')
    .requiredOption('--student <ref>', 'student id, UPN or MIS id')
    .requiredOption('--kind <kind>', `one of ${caseKinds.join(', ')}`)
    .requiredOption('--start <date>', 'date of the start event (e.g. request received), YYYY-MM-DD')
    .option('--owner <email>', 'named officer')
    .option('--org <id>', 'organisation id (default: the only one)')
    .option('--reference <ref>', 'your case reference')
    .option('--event <kind=date...>', 'other key dates already known, e.g. advice_requested=2027-01-04')
    .addHelpText(
      'after',
      "\nHEALTH_NEEDS (children who cannot attend school because of health needs): --start is the first day of\nabsence; H1 is due on the 15th school day of that spell at the latest. Record each later spell with\n`case event <case> first_day_of_absence <date>` and its `return_date`: the spells of a school year are\nadded up and H1c is due on the 15th school day of absence in all. When the register shows 15 days\nsooner, record that day with `case event <case> absences_reached_15_days <date>` (it takes the hub's\nplace). See docs/deadlines.md.",
    )
    .action(
      async (o: {
        student: string;
        kind: string;
        start: string;
        owner?: string;
        org?: string;
        reference?: string;
        event?: string[];
      }) => {
        await withHub(open, close, async (hub, svc) => {
          const kind = o.kind.toUpperCase();
          if (!caseKinds.includes(kind as CaseKind)) {
            console.error(`--kind "${o.kind}": expected one of ${caseKinds.join(', ')}`);
            process.exitCode = 2;
            return;
          }
          const orgs = await hub.orgs.all();
          const orgId = o.org ?? (orgs.length === 1 ? orgs[0]!.id : undefined);
          if (!orgId) {
            console.error(
              `--org: ${orgs.length} organisations exist; say which (${orgs.map((x) => x.id).join(', ')})`,
            );
            process.exitCode = 2;
            return;
          }
          const student = await svc.cases.findStudent(orgId, o.student);
          if (!student) {
            console.error(`--student: no student "${o.student}" in organisation ${orgId}`);
            process.exitCode = 2;
            return;
          }
          const owner = o.owner ? await hub.staff.byEmail(o.owner, orgId) : null;
          if (o.owner && !owner) {
            console.error(`--owner: no member of staff has the email ${o.owner}`);
            process.exitCode = 2;
            return;
          }
          const events = (o.event ?? []).map((e) => {
            const [k = '', d = ''] = e.split('=');
            return { kind: k, occurredOn: d };
          });
          const r = await svc.openCase({
            orgId,
            studentId: student.id,
            kind: kind as CaseKind,
            startDate: o.start,
            ownerId: owner?.id ?? null,
            events,
            ...(o.reference ? { reference: o.reference } : {}),
            via: 'CLI',
          });
          console.log(`Case ${r.reference} opened (${r.caseId}).`);
          // No silent emptiness: one line when the case lacks deadlines, and why.
          if (r.problems.length) console.log(`Note: ${r.problems.join('; ')}.`);
          for (const line of (await svc.timeline(r.caseId)) ?? []) console.log(line);
        });
      },
    );

  kase
    .command('event <case> <kind> <date>')
    .description(
      "record a key date on a case (e.g. draft_served 2027-03-01); deadlines are recomputed. The kind must be one of the case kind's key events (docs/deadlines.md); a date in the future is refused unless --planned",
    )
    .option('--planned', 'record a planned date (today or later): shown on the timeline, meets no deadline')
    .action(async (ref: string, kind: string, date: string, o: { planned?: boolean }) => {
      await withHub(open, close, async (_hub, svc) => {
        const id = await resolveCase(svc, ref);
        if (!id) {
          console.error(`case "${ref}" not found`);
          process.exitCode = 2;
          return;
        }
        await svc.recordEvent(id, kind, date, CLI_WHO, o.planned ? { planned: true } : {});
        for (const line of (await svc.timeline(id)) ?? []) console.log(line);
      });
    });

  kase
    .command('timeline <case>')
    .description('key dates and deadlines of a case: met, late, paused, open, overdue')
    .action(async (ref: string) => {
      await withHub(open, close, async (_hub, svc) => {
        const id = await resolveCase(svc, ref);
        const lines = id ? await svc.timeline(id) : null;
        if (!lines) {
          console.error(`case "${ref}" not found`);
          process.exitCode = 2;
          return;
        }
        for (const line of lines) console.log(line);
      });
    });

  kase
    .command('close <case>')
    .description('close a case (its open deadlines no longer apply)')
    .action(async (ref: string) => {
      await withHub(open, close, async (_hub, svc) => {
        const id = await resolveCase(svc, ref);
        if (!id) {
          console.error(`case "${ref}" not found`);
          process.exitCode = 2;
          return;
        }
        await svc.cases.close(id, CLI_WHO);
        console.log(`Case ${ref} closed.`);
      });
    });

  // `case reassign|history|handover`: a case handover from the command line (app/deadlines/case-handover-cli.ts).
  registerCaseHandoverCli(kase, open, close);

  program
    .command('rules')
    .description('list the statutory rule packs and rules, with their legal sources')
    .action(async () => {
      await withHub(open, close, async (_hub, svc) => {
        for (const p of svc.book.allPacks()) {
          console.log(
            `${p.id}  (from ${p.effectiveFrom}${p.effectiveTo ? ` to ${p.effectiveTo}` : ''})  ${p.title}`,
          );
          for (const r of p.rules) console.log(`  ${r.id.padEnd(5)} ${r.name}  [${r.status}]  ${r.source}`);
        }
      });
    });

  program
    .command('holidays')
    .description('bank holidays used for working-day counts')
    .command('refresh')
    .description('load a gov.uk bank-holidays.json file into the database')
    .requiredOption('--file <path>', 'a file in the gov.uk format (https://www.gov.uk/bank-holidays.json)')
    .action(async (o: { file: string }) => {
      let text: string;
      try {
        text = fs.readFileSync(o.file, 'utf8');
      } catch (err) {
        console.error(`--file ${o.file}: cannot read (${(err as Error).message})`);
        process.exitCode = 2;
        return;
      }
      await withHub(open, close, async (_hub, svc) => {
        const parsed = parseGovUkFeed(text, o.file);
        for (const p of parsed.problems) console.error(p);
        const n = await svc.refreshHolidays(parsed.events);
        console.log(
          `Loaded ${n} bank holidays from ${o.file}${parsed.problems.length ? ` (${parsed.problems.length} rows skipped)` : ''}.`,
        );
      });
    });
}
