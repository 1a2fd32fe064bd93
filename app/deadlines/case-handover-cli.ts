/**
 * `send-hub case reassign <case> <email>`, `send-hub case history <case>` and `send-hub case handover
 * <from-email> <to-email> [--yes]`: a case handover from the command line, for the administrator who runs
 * the hub or a manager's bulk handover when an officer leaves. The same handover as chat `case reassign`
 * (app/deadlines/case-handover.ts: from today, its assignment history row and the audit event in one
 * transaction, the case's deadlines nudged to the new officer by the next tick), audited as admin-cli.
 * `handover` lists the officer's open cases and changes nothing unless `--yes`. The child is never shown:
 * cases by reference, kind and start date; officers by name and e-mail (as `case list`).
 */
import type { Command } from 'commander';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { CaseAssignmentRepository } from '../../store/case-assignment-repository.ts';
import type { Who } from '../../store/case-repository.ts';
import type { Hub } from '../container.ts';
import { resolveImportOrg } from '../imports/resolve-org.ts';
import { caseHistoryLines, FOLLOW_NOTE, handOverCase } from './case-handover.ts';
import { kindLabel } from './caseload.ts';
import { withHub } from './caseload-cli.ts';
import type { DeadlineService } from './service.ts';

const CLI_WHO: Who = { actorId: null, actorKind: 'admin-cli', channel: 'CLI' };
const person = (o: { displayName: string; email: string }) => `${o.displayName} <${o.email}>`;

interface Ctx {
  hub: Hub;
  svc: DeadlineService;
  assignments: CaseAssignmentRepository;
  orgId: string;
}

async function withCtx(
  open: () => Promise<Hub>,
  close: (h: Hub) => Promise<void>,
  org: string | undefined,
  fn: (x: Ctx) => Promise<void>,
) {
  await withHub(open, close, async (hub, svc) => {
    const orgId = await resolveImportOrg(hub, org);
    await fn({ hub, svc, assignments: new CaseAssignmentRepository(hub.dbh.db, hub.audit), orgId });
  });
}

const fail = (line: string) => {
  console.error(line);
  process.exitCode = 2;
};

export function registerCaseHandoverCli(
  kase: Command,
  open: () => Promise<Hub>,
  close: (h: Hub) => Promise<void>,
): void {
  kase
    .command('reassign <case> <email>')
    .description(
      'hand a case to another officer from today, as chat `case reassign` (its deadlines follow; plans issued before today stay under the officer who held it then); audited as admin-cli',
    )
    .option('--org <id>', 'organisation (default: the only one)')
    .action(async (ref: string, email: string, o: { org?: string }) =>
      withCtx(open, close, o.org, async ({ hub, svc, assignments, orgId }) => {
        const c = await assignments.byReference(orgId, ref);
        if (!c) return fail(`case "${ref}" not found`);
        const r = await handOverCase(hub, assignments, c, email, svc.today(), CLI_WHO);
        if (r.result === 'refused') return fail(r.text);
        console.log(r.result === 'done' ? `${r.text}\n${FOLLOW_NOTE}` : r.text);
      }),
    );

  kase
    .command('history <case>')
    .description('who held a case from when to when (its assignment history; "before history" rows say so)')
    .option('--org <id>', 'organisation (default: the only one)')
    .action(async (ref: string, o: { org?: string }) =>
      withCtx(open, close, o.org, async ({ hub, assignments, orgId }) => {
        const c = await assignments.byReference(orgId, ref);
        if (!c) return fail(`case "${ref}" not found`);
        const now = c.ownerId ? await hub.staff.byId(c.ownerId) : null;
        console.log(`Case ${ref} (${c.status.toLowerCase()}): who held it`);
        for (const line of await caseHistoryLines(assignments, c, person, now)) console.log(`  ${line}`);
      }),
    );

  kase
    .command('handover <from-email> <to-email>')
    .description(
      'every open case of one officer (who may have left) to another from today: lists them and changes nothing unless --yes',
    )
    .option('--yes', 'hand them over (without it: only the list)')
    .option('--org <id>', 'organisation (default: the only one)')
    .action(async (fromEmail: string, toEmail: string, o: { yes?: boolean; org?: string }) =>
      withCtx(open, close, o.org, async ({ hub, svc, assignments, orgId }) => {
        const from = await assignments.officerByEmail(orgId, fromEmail);
        if (!from) return fail(`no member of staff has the e-mail ${fromEmail}`);
        const to = await hub.staff.byEmail(toEmail, orgId);
        if (!to) return fail(`no active member of staff has the e-mail ${toEmail}`);
        if (to.id === from.id)
          return fail(`${person(from)} would hand their cases to themselves: nothing to do`);
        const cases = await assignments.openCasesOf(orgId, from.id);
        if (cases.length === 0)
          return console.log(`${person(from)} holds no open cases: nothing to hand over.`);
        const today = svc.today();
        const n = `${cases.length} open case${cases.length === 1 ? '' : 's'}`;
        if (!o.yes) {
          console.log(
            `${person(from)} holds ${n}; with --yes they go to ${person(to)} from today (${formatDate(today)}):`,
          );
          for (const c of cases)
            console.log(
              `  ${(c.reference ?? c.id).padEnd(12)} ${kindLabel(c.kind)}, started ${formatDate(c.startDate)}`,
            );
          console.log('Nothing changed: run again with --yes to hand them over.');
          return;
        }
        let done = 0;
        for (const c of cases) {
          const r = await handOverCase(hub, assignments, c, to.email, today, CLI_WHO);
          if (r.result === 'done') done++;
          else process.exitCode = 2;
          console.log(`  ${r.text}`);
        }
        console.log(`Handed ${done} of ${n} of ${person(from)} to ${person(to)}, from today.`);
        if (done) console.log(FOLLOW_NOTE);
      }),
    );
}
