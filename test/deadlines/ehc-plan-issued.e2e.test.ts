/**
 * From the users' seats (the real CLI in another process, the console as each member of staff; each
 * database), audit findings 4 and 6:
 * - A transfer to post-16 has only its 31 March date (SEND Regulations 2014 reg 18(1)(a)), not 15 February
 *   (reg 18(1)(b): "in all other cases").
 * - At the LA, an EHC plan issued on time: advice still outstanding is closed (Rule.endedBy), neither
 *   overdue nor escalated to the SEN team manager; the family's representations window (reg 13(1): "at
 *   least 15 days", a minimum the LA gives) is not "met late" by the plan that follows it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliSession, cliSession, okCli } from '../support/cli.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;
/** The hub here and `send-hub` in its own process (SEND_HUB_TEST_NOW) both read this instant. */
const NOW = '2026-12-07T12:00:00.000Z';
const dayOffset = (days: number) =>
  new Date(Date.parse(NOW) + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

describe.each(
  providers,
)('a post-16 transfer and an EHC plan issued, from the users seats (%s)', (provider) => {
  let t: TestHub | undefined;
  let s: CliSession | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await s?.close();
    s = undefined;
  });

  const cli = okCli(() => s!);
  const idOf = async (email: string) =>
    (await t!.hub.dbh.db.staff.findFirstOrThrow({ where: { email }, select: { id: true } })).id;
  const titles = (staffId: string) =>
    t!.console
      .transcript()
      .filter((m) => m.staffId === staffId)
      .map((m) => m.message.title);

  it('the SENDCo: a transfer to post-16 has 31 March only', async () => {
    t = await startTestHub(provider, { now: NOW });
    s = await cliSession(provider, { DATABASE_URL: t.hub.config.databaseUrl, SEND_HUB_TEST_NOW: NOW });
    await cli('demo');
    const pt = await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'PHASE_TRANSFER', '--start', '2027-09-01'],
      ...['--event', 'post16_transfer_date=2027-09-01'],
      ...['--owner', 'sendco@elmfield.example', '--reference', 'PT-16'],
    );
    expect(pt).toMatch(
      /Wed 31 Mar 2027 {2}Plan amended for transfer to post-16 \(31 March\) \(the LA's\): open/,
    );
    expect(pt).not.toMatch(/15 Feb/);
  }, 300_000);

  it('the LA officer and her manager: a plan issued on time closes the advice outstanding and the window', async () => {
    t = await startTestHub(provider, { now: NOW });
    s = await cliSession(provider, { DATABASE_URL: t.hub.config.databaseUrl, SEND_HUB_TEST_NOW: NOW });
    await cli(
      ...['org', 'create', '--kind', 'la', '--name', 'Northshire County Council', '--la-code', '926'],
      ...['--admin', 'sen.admin@northshire.example'],
    );
    fs.writeFileSync(
      path.join(s.dir, 'staff.csv'),
      [
        'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
        'LA1,Grace,Mensah,grace.mensah@la.example,SEN Team Manager,',
        'LA2,Karen,Obi,karen.obi@la.example,SEND EHCNA Co-ordinator,grace.mensah@la.example',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(s.dir, 'students.csv'),
      'UPN,MIS ID,First Name,Last Name,Date of Birth,Year Group,SEN Status,EHCP\nF123456789012,1001,Zara,Ali,2015-03-01,6,K,No\n',
    );
    await cli('import', 'arbor-staff', path.join(s.dir, 'staff.csv'));
    await cli('import', 'arbor-students', path.join(s.dir, 'students.csv'));
    // Request 20 weeks and 7 days ago; advice asked of a professional 20 weeks ago, never recorded as
    // received; draft served 4 weeks ago; the final plan issued on its 20-week date, 7 days ago.
    await cli(
      ...['case', 'open', '--student', 'F123456789012', '--kind', 'EHC_NEEDS_ASSESSMENT'],
      ...['--start', dayOffset(-147), '--event', `advice_requested=${dayOffset(-140)}`],
      ...['--event', `assessment_decision=${dayOffset(-110)}`, '--event', `issue_decision=${dayOffset(-28)}`],
      ...['--event', `draft_served=${dayOffset(-28)}`, '--event', `school_consulted=${dayOffset(-28)}`],
      ...['--owner', 'karen.obi@la.example', '--reference', 'LA-2'],
    );
    const issued = await cli('case', 'event', 'LA-2', 'final_plan_issued', dayOffset(-7));
    expect(issued).toMatch(/Final EHC plan issued \(20 weeks\): met on/);
    expect(issued).toMatch(
      new RegExp(`Advice from a professional: closed: final_plan_issued on ${DATE}, no longer needed`),
    );
    expect(issued).not.toMatch(/Advice from a professional: OVERDUE/);
    expect(issued).not.toMatch(/School consultation reply \(15 calendar days\): OVERDUE/);
    expect(issued).toMatch(
      new RegExp(
        `Representations on the draft plan close \\(15 days incl\\. day served\\) \\(window\\): closed on ${DATE}; final_plan_issued followed on ${DATE}`,
      ),
    );
    expect(issued).not.toMatch(/Representations[^\n]*MET LATE/);
    await t.tickAndDeliver();
    const grace = titles(await idOf('grace.mensah@la.example'));
    const karen = titles(await idOf('karen.obi@la.example'));
    expect(
      [...grace, ...karen].filter((x) => /Advice from a professional|School consultation|Overdue/.test(x)),
    ).toEqual([]);
  }, 300_000);
});
