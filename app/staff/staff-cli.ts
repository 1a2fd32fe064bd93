/**
 * `send-hub staff list`: who is on the hub, with their email, roles and line manager, so an administrator
 * can check what a staff import made of the job titles; `send-hub staff roles "<title>" …`: what a job
 * title maps to under the map in force (STAFF_ROLE_MAP_FILE or the default; docs/imports.md "Roles from
 * job titles"). Staff names are not special-category data; no child is named here.
 */
import type { Command } from 'commander';
import { roleLabel, rolesFromTitles } from '../../core/staff/job-titles.ts';
import { titleRulesFor } from '../config/role-map.ts';
import type { Hub } from '../container.ts';
import { resolveImportOrg } from '../imports/resolve-org.ts';

const rolesText = (roles: readonly string[]): string => {
  const shown = roles.filter((r) => r !== 'STAFF').sort();
  return shown.length ? shown.map(roleLabel).join(', ') : 'staff';
};

export function registerStaffCli(
  program: Command,
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
): void {
  const staff = program.command('staff').description('members of staff: roles from job titles');
  staff
    .command('list')
    .description('every member of staff: name, email, roles, line manager')
    .option('--org <id>', 'organisation (default: IMPORT_ORG_ID or the only one)')
    .option('--role <ROLE>', 'only those holding this role (e.g. EHCNA_OFFICER)')
    .action(async (opts: { org?: string; role?: string }) => {
      const hub = await open();
      try {
        const orgId = await resolveImportOrg(hub, opts.org);
        const all = await hub.staff.all(orgId);
        const byId = new Map(all.map((s) => [s.id, s]));
        const want = opts.role?.toUpperCase();
        const rows = all.filter((s) => !want || s.roles.includes(want as never));
        if (!rows.length) console.log('No staff.');
        for (const s of rows) {
          const lm = s.lineManagerId ? byId.get(s.lineManagerId) : undefined;
          console.log(
            `${s.displayName} <${s.email}>  ${rolesText(s.roles)}${lm ? `  · line manager ${lm.displayName}` : ''}`,
          );
        }
      } finally {
        await close(hub);
      }
    });
  staff
    .command('roles <titles...>')
    .description('what each job title maps to under the map in force')
    .action(async (titles: string[]) => {
      const hub = await open();
      try {
        const rules = titleRulesFor(hub.config.raw);
        for (const t of titles) console.log(`${t}  →  ${rolesText(rolesFromTitles([t], rules))}`);
      } finally {
        await close(hub);
      }
    });
}
