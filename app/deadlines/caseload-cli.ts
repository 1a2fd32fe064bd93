/**
 * `send-hub case list [--owner email] [--kind K] [--status open|closed] [--at-risk]` and
 * `send-hub register`: the caseload and the SEN register from the command line (issue 14 point 8;
 * docs/deadlines.md "Caseload views").
 */
import type { Command } from 'commander';
import { caseKinds } from '../../core/deadlines/types.ts';
import { isDomainError } from '../../core/errors.ts';
import type { Hub } from '../container.ts';
import { resolveImportOrg } from '../imports/resolve-org.ts';
import { caseCliLine, caseViews } from './caseload.ts';
import { registerLine, registerRows } from './caseload-register.ts';
import type { DeadlineService } from './service.ts';

/** Open the hub, run `fn` with the deadline service, print a domain error as one line (exit 2), close. */
export async function withHub(
  open: () => Promise<Hub>,
  close: (h: Hub) => Promise<void>,
  fn: (h: Hub, s: DeadlineService) => Promise<void>,
) {
  const hub = await open();
  try {
    await fn(hub, hub.services.get('deadlines') as DeadlineService);
  } catch (err) {
    if (!isDomainError(err)) throw err;
    console.error(`send-hub: ${err.message}`);
    process.exitCode = 2;
  } finally {
    await close(hub);
  }
}

export function registerCaseloadCli(
  program: Command,
  open: () => Promise<Hub>,
  close: (h: Hub) => Promise<void>,
): void {
  const kase = program.commands.find((c) => c.name() === 'case') ?? program.command('case');
  kase
    .command('list')
    .description('the caseload: reference, kind, child (initials, year), owner, next deadline, risk')
    .option('--owner <email>', 'only the cases of this officer')
    .option('--kind <kind>', `one of ${caseKinds.join(', ')}`)
    .option('--status <status>', 'open or closed (default: both)')
    .option('--at-risk', 'only EHC needs assessments at risk of missing 20 weeks')
    .option('--org <id>', 'organisation (default: the only one)')
    .action(async (o: { owner?: string; kind?: string; status?: string; atRisk?: boolean; org?: string }) =>
      withHub(open, close, async (hub, svc) => {
        if (o.kind && !caseKinds.includes(o.kind.toUpperCase() as never)) {
          console.error(`--kind "${o.kind}": expected one of ${caseKinds.join(', ')}`);
          process.exitCode = 2;
          return;
        }
        const status = o.status?.toUpperCase();
        if (status && status !== 'OPEN' && status !== 'CLOSED') {
          console.error(`--status "${o.status}": expected open or closed`);
          process.exitCode = 2;
          return;
        }
        const orgId = await resolveImportOrg(hub, o.org);
        const owner = o.owner ? await hub.staff.byEmail(o.owner.toLowerCase(), orgId) : undefined;
        if (o.owner && !owner) {
          console.error(`--owner: no member of staff has the email ${o.owner}`);
          process.exitCode = 2;
          return;
        }
        const views = await caseViews(hub, svc, {
          orgId,
          ...(owner ? { ownerIds: [owner.id] } : {}),
          ...(o.kind ? { kind: o.kind.toUpperCase() } : {}),
          ...(status ? { status: status as 'OPEN' | 'CLOSED' } : {}),
          ...(o.atRisk ? { atRisk: true } : {}),
        });
        const who = owner ? ` of ${owner.displayName} <${owner.email}>` : '';
        console.log(
          `${views.length} case${views.length === 1 ? '' : 's'}${who}${o.atRisk ? ' at risk' : ''}`,
        );
        for (const v of views) console.log(caseCliLine(v));
      }),
    );

  program
    .command('register')
    .description('the SEN register: pupils on SEN support or with an EHCP, children in care, next review')
    .option('--org <id>', 'organisation (default: the only one)')
    .action(async (o: { org?: string }) =>
      withHub(open, close, async (hub, svc) => {
        const rows = await registerRows(hub, svc, await resolveImportOrg(hub, o.org));
        console.log(`SEN register: ${rows.length} pupil${rows.length === 1 ? '' : 's'}`);
        for (const r of rows) console.log(registerLine(r, true));
      }),
    );
}
