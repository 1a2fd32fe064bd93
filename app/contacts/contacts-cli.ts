/**
 * `send-hub contact …`: an admin acting for a member of staff (named by their work e-mail), audited as
 * admin-cli. Values are shown masked. `missing` lists who on the safeguarding rota has no verified method.
 */
import type { Command } from 'commander';
import type { Hub } from '../container.ts';
import { resolveImportOrg } from '../imports/resolve-org.ts';
import { CONTACTS_SERVICE, type ContactActor, type ContactsService } from './contacts-service.ts';

const admin: ContactActor = { actorId: null, actorKind: 'admin-cli', channel: 'CLI' };

async function withPerson(
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
  email: string,
  run: (
    hub: Hub,
    service: ContactsService,
    person: { id: string; orgId: string; displayName: string },
  ) => Promise<void>,
): Promise<void> {
  const hub = await open();
  try {
    const service = hub.services.get(CONTACTS_SERVICE) as ContactsService;
    const person = await hub.staff.byEmail(email);
    if (!person) throw new Error(`no member of staff has the e-mail ${email} (send-hub staff list)`);
    await run(hub, service, person);
  } finally {
    await close(hub);
  }
}

export function registerContactsCli(
  program: Command,
  open: () => Promise<Hub>,
  close: (hub: Hub) => Promise<void>,
): void {
  const contact = program
    .command('contact')
    .description("a member of staff's e-mail and mobile for safeguarding alerts outside the chat");
  contact
    .command('list <staff-email>')
    .description('their contact methods, masked, verified or not')
    .action(async (email: string) =>
      withPerson(open, close, email, async (_hub, service, p) => {
        const lines = await service.list(p.id);
        if (!lines.length) console.log(`${p.displayName}: no contact methods`);
        for (const l of lines)
          console.log(
            `${p.displayName}  ${l.kind.toLowerCase()}  ${l.masked}  ${l.status}  (${l.source})${l.lastFailure ? `  last failure: ${l.lastFailure}` : ''}`,
          );
      }),
    );
  contact
    .command('add <staff-email> <kind> <value>')
    .description('set their e-mail or mobile (email|sms); a code is sent to it for them to confirm')
    .action(async (email: string, kind: string, value: string) =>
      withPerson(open, close, email, async (_hub, service, p) => {
        const l = await service.add(p.orgId, p.id, kind, value, admin);
        console.log(
          `${p.displayName}: ${l.kind.toLowerCase()} ${l.masked} added, unverified; a code is on its way (they type: settings contact verify <code>)`,
        );
      }),
    );
  contact
    .command('verify <staff-email> <code>')
    .description('enter the code they received (when they read it to you)')
    .action(async (email: string, code: string) =>
      withPerson(open, close, email, async (_hub, service, p) => {
        const l = await service.verify(p.orgId, p.id, code, admin);
        console.log(`${p.displayName}: ${l.kind.toLowerCase()} ${l.masked} verified`);
      }),
    );
  contact
    .command('resend <staff-email> <kind>')
    .description('send a new code to their unverified e-mail or mobile')
    .action(async (email: string, kind: string) =>
      withPerson(open, close, email, async (_hub, service, p) => {
        const l = await service.resend(p.orgId, p.id, kind, admin);
        console.log(`${p.displayName}: a new code is on its way to ${l.masked}`);
      }),
    );
  contact
    .command('remove <staff-email> <kind>')
    .description('remove their e-mail or mobile (email|sms)')
    .action(async (email: string, kind: string) =>
      withPerson(open, close, email, async (_hub, service, p) => {
        const k = await service.remove(p.orgId, p.id, kind, admin);
        console.log(`${p.displayName}: ${k.toLowerCase()} removed`);
      }),
    );
  contact
    .command('notify <staff-email> [setting...]')
    .description(
      "their safeguarding notification times: show; email|sms <minutes|off> [--in-hours|--out-of-hours]; reset (never later than the organisation's)",
    )
    .option('--in-hours', 'in school hours only')
    .option('--out-of-hours', 'out of hours only')
    .action(async (email: string, setting: string[], opts: { inHours?: boolean; outOfHours?: boolean }) =>
      withPerson(open, close, email, async (_hub, service, p) => {
        const notify = service.notify;
        if (setting[0]?.toLowerCase() === 'reset') {
          const had = await notify.reset(p.orgId, p.id, admin);
          console.log(
            `${p.displayName}: ${had ? "back to the organisation's notification times" : "already on the organisation's notification times"}`,
          );
        } else if (setting.length > 0) {
          const flags = [
            ...(opts.inHours ? ['--in-hours'] : []),
            ...(opts.outOfHours ? ['--out-of-hours'] : []),
          ];
          const r = await notify.set(p.orgId, p.id, [...setting, ...flags], admin);
          const when =
            r.windows.length === 2
              ? 'in and out of hours'
              : r.windows[0] === 'inHours'
                ? 'in school hours'
                : 'out of hours';
          console.log(
            `${p.displayName}: ${r.method === 'email' ? 'e-mail' : 'SMS'} ${r.minutes === null ? "as the organisation's rules" : `after ${r.minutes} minutes`} ${when}`,
          );
        }
        const v = await notify.view(p.orgId, p.id);
        for (const w of v.windows) console.log(`${p.displayName}  ${w.label}: ${w.value}`);
        console.log(`${p.displayName}  methods: ${v.methods}`);
      }),
    );
  contact
    .command('missing')
    .description('who on the safeguarding rota (DSL, deputies, head) has no verified e-mail or mobile')
    .option('--org <id>', 'organisation (default: IMPORT_ORG_ID or the only one)')
    .action(async (opts: { org?: string }) => {
      const hub = await open();
      try {
        const service = hub.services.get(CONTACTS_SERVICE) as ContactsService;
        const orgId = await resolveImportOrg(hub, opts.org);
        const missing = await service.rotaWithoutMethod(orgId);
        if (!missing.length)
          console.log('Everyone on the safeguarding rota has a verified e-mail or mobile.');
        for (const m of missing)
          console.log(`${m.displayName} (${m.levels.join(', ')}): no verified e-mail or mobile`);
        if (missing.length) process.exitCode = 1;
      } finally {
        await close(hub);
      }
    });
}
