/**
 * `send-hub org create`: the step between `init` and the imports on a real installation (audit finding 3):
 * the school or local authority, its URN or LA code, and its first administrator, whose e-mail is how they
 * sign in (Entra ID, Slack, the Teams tab) and who the console acts as until `as <email>`. Audited as
 * admin-cli in the same transaction. Running it twice says the organisation exists; a URN or LA code held by
 * another name, or the same name under another identity, is refused until the administrator says which.
 * `send-hub org list`: every organisation with the id that `--org` and IMPORT_ORG_ID take.
 * No child is named here; staff e-mails are not special-category data.
 */
import type { Command } from 'commander';
import {
  decideOrgCreate,
  identityText,
  KIND_LABEL,
  KIND_WORDS,
  ORG_CREATE_HINT,
  orgText,
  parseOrgSpec,
} from '../../core/orgs/org-identity.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import type { Hub } from '../container.ts';

export { ORG_CREATE_HINT };

interface CreateOpts {
  kind?: string;
  name?: string;
  urn?: string;
  laCode?: string;
  admin?: string;
  adminName?: string;
}

export async function createOrg(hub: Hub, opts: CreateOpts, say: (line: string) => void): Promise<number> {
  const parsed = parseOrgSpec(opts);
  if ('problems' in parsed) {
    for (const p of parsed.problems) say(p);
    say(`Nothing created. Usage: ${ORG_CREATE_HINT}`);
    return 2;
  }
  const { spec } = parsed;
  let found: ReturnType<typeof decideOrgCreate> | undefined;
  const repo = new OrgRepository(hub.dbh.db, hub.dbh.provider);
  const result = await repo.createUnlessDecided(
    spec,
    (existing) => {
      found = decideOrgCreate(spec, existing);
      return found.kind === 'create' ? null : found;
    },
    (tx, created) =>
      hub.audit.recordIn(tx, {
        orgId: created.orgId,
        actorKind: 'admin-cli',
        action: 'org.created',
        subjectType: 'organisation',
        subjectId: created.orgId,
        channel: 'CLI',
        details: {
          kind: spec.kind,
          ...(spec.urn ? { urn: spec.urn } : { laCode: spec.laCode }),
          adminStaffId: created.adminId,
        },
      }),
  );
  if ('refused' in result) {
    const d = result.refused;
    if (d.kind === 'exists') {
      const admins = (await repo.summaries()).find((o) => o.id === d.org.id)?.admins ?? [];
      say(`${orgText(d.org)} exists already: nothing changed.`);
      if (!admins.includes(spec.adminEmail))
        say(
          `${spec.adminEmail} is not one of its administrators (${admins.join(', ') || 'none'}); nothing was granted.`,
        );
      return 0;
    }
    if (d.kind === 'ambiguous') {
      say(`Refused: ${d.reason}. Nothing created.`);
      return 2;
    }
  }
  if (!('created' in result)) return 1;
  const all = await hub.orgs.all();
  say(
    `Created ${KIND_LABEL[spec.kind]} "${spec.name}" (${identityText(spec)}, id ${result.created.orgId}) with ${spec.adminEmail} as its first administrator.`,
  );
  const org = all.length > 1 ? ` --org ${result.created.orgId}` : '';
  if (all.length > 1)
    say(
      `There are ${all.length} organisations now: imports and lists take --org ${result.created.orgId} (or IMPORT_ORG_ID; send-hub org list).`,
    );
  say(
    `Next: import your staff (send-hub import arbor-staff <file>${org}) and pupils (send-hub import students <file>${org}), then start the hub: send-hub start. ${spec.adminEmail} signs in with the same e-mail (Entra ID, Slack or the Teams tab).`,
  );
  return 0;
}

export function registerOrgCli(
  program: Command,
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
): void {
  const org = program.command('org').description('the school or local authority: create it, list them');
  org
    .command('create')
    .description('create your school or local authority and its first administrator (audited)')
    .option('--kind <kind>', `what it is: ${Object.keys(KIND_WORDS).join(', ')}`)
    .option('--name <name>', 'its name, as staff know it')
    .option('--urn <urn>', "a school's 6-digit URN (Get Information about Schools)")
    .option('--la-code <code>', "a local authority's 3-digit LA code")
    .option('--admin <email>', 'the first administrator: signs in with this e-mail and runs the rest')
    .option('--admin-name <name>', "the administrator's name (a staff import updates it)")
    .action(async (opts: CreateOpts) => {
      const hub = await open();
      try {
        process.exitCode = await createOrg(hub, opts, (line) => console.log(line));
      } finally {
        await close(hub);
      }
    });
  org
    .command('list')
    .description(
      'every organisation: id (for --org and IMPORT_ORG_ID), kind, URN or LA code, staff, pupils, admins',
    )
    .action(async () => {
      const hub = await open();
      try {
        const rows = await new OrgRepository(hub.dbh.db).summaries();
        if (!rows.length) console.log(`No organisation yet: ${ORG_CREATE_HINT}`);
        for (const o of rows)
          console.log(
            `${o.id}  ${o.name}  ${KIND_LABEL[o.kind] ?? o.kind}  ${identityText(o)}  ${o.staff} staff, ${o.students} pupils  admins: ${o.admins.join(', ') || 'none'}`,
          );
      } finally {
        await close(hub);
      }
    });
}
