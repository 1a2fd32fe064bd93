/**
 * Audit finding 3, from the administrator's seat: a real school and a real local authority set up on a fresh
 * data folder, in production. `send-hub init` says the next step; an import before it names the command;
 * `send-hub org create` makes the organisation and its first administrator (audited), says it exists when
 * run again and refuses what half-matches; an Arbor staff export and a students export import; the hub
 * starts (production: no demo) and a member of staff talks to it at the console. For the local authority,
 * its admin reaches /app/timeliness (signed in by a development link on the same database: production
 * signs in with Entra ID, Slack or the Teams tab).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { createLogger } from '../../app/logger.ts';
import { type RunningHub, startHub } from '../../app/start.ts';
import { issueSignInLink } from '../../web/sign-in-link.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { CaptureStream, capturedLogLines } from '../support/hub.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SCHOOL_STAFF = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'T1,Helen,Ashworth,h.ashworth@elmpark.example,Headteacher,',
  'T2,Priya,Kaur,p.kaur@elmpark.example,SENCO,h.ashworth@elmpark.example',
  'T3,Owen,Price,o.price@elmpark.example,Class Teacher,h.ashworth@elmpark.example',
].join('\n');
const LA_STAFF = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'LA1,Grace,Mensah,grace.mensah@northshire.example,SEN Team Manager,',
  'LA2,Karen,Obi,karen.obi@northshire.example,SEND EHCNA Co-ordinator,grace.mensah@northshire.example',
].join('\n');
const STUDENTS = [
  'Student ID,UPN,Forename,Surname,Year',
  'S1,A123456789012,Marisol,Ashcombe,4',
  'S2,B123456789012,Thaddeus,Brackley,6',
].join('\n');

async function adminSession(provider: 'sqlite' | 'postgres'): Promise<CliSession> {
  const s = await cliSession(provider, { SEND_HUB_ENV: 'production' });
  cleanups.push(() => s.close());
  return s;
}

/** The hub as `send-hub start` runs it on the session's database, the console on a typed stdin. */
async function startOn(s: CliSession, env: Record<string, string>) {
  const config = loadConfig(
    {
      ...(s.env as Record<string, string>),
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE_CHANNEL: 'on',
      ...env,
    },
    s.dir,
  );
  const input = new PassThrough();
  const out = new CaptureStream();
  const running: RunningHub = await startHub(
    config,
    createLogger('info', new CaptureStream(capturedLogLines)),
    {
      stdin: input,
      stdout: out,
      manualTicks: true,
    },
  );
  cleanups.push(() => running.stop());
  const type = async (line: string, answer: string): Promise<string> => {
    const from = out.text().length;
    input.write(`${line}\n`);
    for (let i = 0; i < 2000 && !out.text().slice(from).includes(answer); i++)
      await new Promise((r) => setTimeout(r, 5));
    const said = out.text().slice(from);
    expect(said, `after "${line}"`).toContain(answer);
    return said;
  };
  return { running, out, type };
}

describe.each(providers)('setting up a real organisation (%s)', (provider) => {
  it('a school: init, org create (twice), staff and pupils imported, a teacher at the console', async () => {
    const s = await adminSession(provider);
    const init = await s.cli('init');
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain('send-hub org create --kind school|la');

    fs.writeFileSync(path.join(s.dir, 'staff.csv'), SCHOOL_STAFF);
    fs.writeFileSync(path.join(s.dir, 'students.csv'), STUDENTS);
    const early = await s.cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'));
    expect(early.code).toBe(1);
    expect(early.err).toContain('no organisation yet: create yours with `send-hub org create');
    // The hub started before any organisation says what to do instead of running silently empty.
    const empty = await startOn(s, {});
    expect(empty.out.text()).toContain('No organisation yet: nobody can be reminded or sign in.');
    expect(empty.out.text()).toContain('send-hub org create --kind school|la');
    await empty.running.stop();
    const args = ['org', 'create', '--kind', 'school', '--name', 'Elm Park Primary', '--urn', '123456'];
    const made = await s.cli(...args, '--admin', 'H.Ashworth@elmpark.example');
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain('Created school "Elm Park Primary" (URN 123456');
    expect(made.out).toContain('h.ashworth@elmpark.example as its first administrator');
    const again = await s.cli(...args, '--admin', 'h.ashworth@elmpark.example');
    expect(again.code).toBe(0);
    expect(again.out).toContain('exists already: nothing changed');
    const other = await s.cli(
      ...['org', 'create', '--kind', 'school', '--name', 'Oak Lane Primary', '--urn', '123456'],
      ...['--admin', 'x@oak.example'],
    );
    expect(other.code).toBe(2);
    expect(other.out).toContain('Refused: URN 123456 already belongs to "Elm Park Primary"');

    const staff = await s.cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'));
    expect(staff.code, staff.err).toBe(0);
    const pupils = await s.cli('import', 'students', path.join(s.dir, 'students.csv'));
    expect(pupils.code, pupils.err).toBe(0);
    const list = await s.cli('org', 'list');
    expect(list.out).toMatch(
      /Elm Park Primary {2}school {2}URN 123456 {2}3 staff, 2 pupils {2}admins: h\.ashworth@elmpark\.example/,
    );
    // The administrator kept ADMIN through the import, which added the head's role from the job title.
    expect((await s.cli('staff', 'list')).out).toMatch(
      /Helen Ashworth <h\.ashworth@elmpark\.example> {2}admin, head/,
    );

    const hub = await startOn(s, {});
    expect(hub.out.text()).not.toContain('demo');
    expect(await hub.running.hub.orgs.count()).toBe(1);
    await hub.type('as o.price@elmpark.example', 'Acting as Owen Price.');
    await hub.type('due', 'Nothing due for you in the next');
    const audit = await hub.running.hub.dbh.db.auditEvent.findMany({ where: { action: 'org.created' } });
    expect(audit.map((a) => [a.actorKind, a.channel, a.subjectType])).toEqual([
      ['admin-cli', 'CLI', 'organisation'],
    ]);
  }, 900_000);

  it('a local authority: org create with its LA code, the SEN team imported, the timeliness page reached', async () => {
    const s = await adminSession(provider);
    expect((await s.cli('init')).code).toBe(0);
    const urn = await s.cli(
      ...['org', 'create', '--kind', 'la', '--name', 'Northshire County Council', '--urn', '123456'],
      ...['--admin', 'sen.admin@northshire.example'],
    );
    expect(urn.code).toBe(2);
    expect(urn.out).toContain('a local authority has an LA code, not a URN');
    const made = await s.cli(
      ...['org', 'create', '--kind', 'la', '--name', 'Northshire County Council', '--la-code', '926'],
      ...['--admin', 'sen.admin@northshire.example', '--admin-name', 'Sam Adeyemi'],
    );
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain('Created local authority "Northshire County Council" (LA code 926');
    fs.writeFileSync(path.join(s.dir, 'staff.csv'), LA_STAFF);
    fs.writeFileSync(path.join(s.dir, 'students.csv'), STUDENTS);
    expect((await s.cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'))).code).toBe(0);
    expect((await s.cli('import', 'students', path.join(s.dir, 'students.csv'))).code).toBe(0);
    expect((await s.cli('org', 'list')).out).toContain('local authority  LA code 926  3 staff, 2 pupils');

    // In production: no demo; the EHCNA coordinator at the console.
    let hub = await startOn(s, {});
    await hub.type('as karen.obi@northshire.example', 'Acting as Karen Obi.');
    await hub.type('due', 'Nothing due for you in the next');
    await hub.running.stop();

    // The LA's admin on the web pages (a development sign-in link on the same database).
    hub = await startOn(s, { SEND_HUB_ENV: 'development', DEMO: 'off' });
    const link = await issueSignInLink(hub.running.hub, 'sen.admin@northshire.example');
    const base = `http://127.0.0.1:${hub.running.server.port}`;
    const signed = await fetch(`${base}${link.path}`, { redirect: 'manual' });
    const cookie = (signed.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    expect(cookie).not.toBe('');
    const page = await fetch(`${base}/app/timeliness`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Northshire County Council');
  }, 900_000);
});
