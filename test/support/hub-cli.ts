/**
 * A scenario from the users' seats: a test hub (the console, as each member of staff in turn) and the real
 * `send-hub` command in another process on the hub's own database. Call in a `describe`: it closes both
 * after each test. `start` opens them; `cli` expects a command to succeed and returns what it printed;
 * `session()` is the CLI session itself (a command expected to fail, `cliWith`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Provider } from '../../store/db.ts';
import { type CliSession, cliSession, okCli } from './cli.ts';
import { startTestHub, type TestHub } from './hub.ts';

export interface HubAndCli {
  /** The hub with `hubOptions`, then a CLI session on its database with `cliEnv` (SEND_HUB_TEST_NOW, …). */
  start(hubOptions?: Parameters<typeof startTestHub>[1], cliEnv?: NodeJS.ProcessEnv): Promise<TestHub>;
  /** The running hub (after `start`). */
  hub(): TestHub;
  /** The CLI session (after `start`). */
  session(): CliSession;
  say(line: string): Promise<string>;
  cli(...args: string[]): Promise<string>;
  /** `name` in the CLI session's own folder (an export the person saves, then imports). */
  file(name: string): string;
  /** The id of the member of staff with this e-mail. */
  staffId(email: string): Promise<string>;
  /** The titles of every message the console showed this member of staff, in order. */
  titlesTo(staffId: string): string[];
}

export function hubAndCli(provider: Provider): HubAndCli {
  let t: TestHub | undefined;
  let s: CliSession | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await s?.close();
    s = undefined;
  });
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('hubAndCli: call start() first');
    return x;
  };
  return {
    async start(hubOptions = {}, cliEnv = {}) {
      t = await startTestHub(provider, hubOptions);
      s = await cliSession(provider, { DATABASE_URL: t.hub.config.databaseUrl, ...cliEnv });
      return t;
    },
    hub: () => started(t),
    session: () => started(s),
    say: (line) => started(t).say(line),
    cli: okCli(() => started(s)),
    file: (name) => path.join(started(s).dir, name),
    staffId: async (email) =>
      (await started(t).hub.dbh.db.staff.findFirstOrThrow({ where: { email }, select: { id: true } })).id,
    titlesTo: (staffId) =>
      started(t)
        .console.transcript()
        .filter((m) => m.staffId === staffId)
        .map((m) => m.message.title),
  };
}

/**
 * Northshire LA, set up by its admin with the CLI: Grace Mensah (SEN team manager) manages Karen Obi (EHCNA
 * co-ordinator), both from an Arbor-style staff export (roles from job titles); one pupil, Zara Ali, UPN
 * F123456789012.
 */
export async function northshireLa(sc: HubAndCli): Promise<void> {
  await sc.cli(
    ...['org', 'create', '--kind', 'la', '--name', 'Northshire County Council', '--la-code', '926'],
    ...['--admin', 'sen.admin@northshire.example'],
  );
  fs.writeFileSync(
    sc.file('staff.csv'),
    [
      'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
      'LA1,Grace,Mensah,grace.mensah@la.example,SEN Team Manager,',
      'LA2,Karen,Obi,karen.obi@la.example,SEND EHCNA Co-ordinator,grace.mensah@la.example',
    ].join('\n'),
  );
  fs.writeFileSync(
    sc.file('students.csv'),
    'UPN,MIS ID,First Name,Last Name,Date of Birth,Year Group,SEN Status,EHCP\nF123456789012,1001,Zara,Ali,2015-03-01,6,K,No\n',
  );
  await sc.cli('import', 'arbor-staff', sc.file('staff.csv'));
  await sc.cli('import', 'arbor-students', sc.file('students.csv'));
}
