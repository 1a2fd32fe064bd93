/**
 * Deadlines that read true, from the users' seats (the real `send-hub` in another process beside a running
 * hub, the console as each member of staff; each database):
 * - `due` (console and `send-hub due`) reads the deadlines as the next tick will store them, as `case list`
 *   and `case timeline` do: a permanent exclusion opened before the school's term dates, then the term
 *   dates imported: the governing board's date reads Thu 7 Jan 2027 at once, not the stored Wed 23 Dec 2026.
 * - A final EHC plan issued with the earlier steps not recorded (SEND Regulations 2014 reg 5: decision to
 *   assess, 6 weeks; reg 10: decision whether to issue, 16 weeks; reg 13(2): the plan, 20 weeks): those
 *   steps read "not recorded", never overdue, late or escalated; a decision to assess missed on a case with
 *   no later step is still overdue.
 * - A lead nudge sent late (the hub was down on its day) and the on-the-day nudge: the owner reads one
 *   message for the deadline that day.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli, northshireLa } from '../support/hub-cli.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;
/**
 * The hub here and `send-hub` in its own process (SEND_HUB_TEST_NOW) both read this instant: the data's
 * fixed dates (terms autumn 2026 / spring 2027, an exclusion on 2 Dec 2026) read as written in December 2026.
 */
const NOW = '2026-12-07T12:00:00.000Z';
const dayOffset = (days: number) =>
  new Date(Date.parse(NOW) + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const term = (uid: string, from: string, to: string, title: string) =>
  `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20260801T000000Z\r\nDTSTART;VALUE=DATE:${from}\r\nDTEND;VALUE=DATE:${to}\r\nSUMMARY:${title}\r\nEND:VEVENT\r\n`;
const TERMS = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Elm Park//Terms//EN\r\n${term('aut@elmpark.example', '20260901', '20261219', 'Autumn term')}${term('spr@elmpark.example', '20270105', '20270327', 'Spring term')}END:VCALENDAR\r\n`;
const BOARD = 'Governing board considers reinstatement (15 school days)';

describe.each(providers)('deadlines that read true (%s)', (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, say, file, staffId: idOf, titlesTo: titles } = scenario;

  const start = () => scenario.start({ now: NOW }, { SEND_HUB_TEST_NOW: NOW });
  const la = () => northshireLa(scenario);

  it('due, in the console and the CLI, reads the date the next tick will store', async () => {
    await start();
    await cli(
      ...['org', 'create', '--kind', 'school', '--name', 'Elm Park Primary', '--urn', '123456'],
      ...['--admin', 'h.ashworth@elmpark.example'],
    );
    fs.writeFileSync(
      file('staff.csv'),
      [
        'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
        'T1,Helen,Ashworth,h.ashworth@elmpark.example,Headteacher,',
        'T2,Dan,Reeve,d.reeve@elmpark.example,Behaviour Lead,h.ashworth@elmpark.example',
      ].join('\n'),
    );
    fs.writeFileSync(
      file('students.csv'),
      ['Student ID,UPN,Forename,Surname,Year', 'S1,A123456789012,Mari,Ashby,4'].join('\n'),
    );
    fs.writeFileSync(file('terms.ics'), TERMS);
    await cli('import', 'arbor-staff', file('staff.csv'));
    await cli('import', 'students', file('students.csv'));
    const opened = await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'PERMANENT_EXCLUSION'],
      ...['--start', '2026-12-02', '--event', 'exclusion_notified=2026-12-02'],
      ...['--owner', 'd.reeve@elmpark.example', '--reference', 'PX-9'],
    );
    expect(opened).toContain(`Wed 23 Dec 2026  ${BOARD}: open`);
    await cli('import', 'ics', file('terms.ics'));

    // No tick has run: the behaviour lead reads the board's date counted over the term dates.
    const due = await cli('due', '--within', '60d');
    expect(due).toMatch(
      new RegExp(`^2027-01-07 {2}OPEN +${BOARD.replace(/[()]/g, '\\$&')} .* case PX-9 `, 'm'),
    );
    expect(due).not.toContain('2026-12-23');
    await say('as d.reeve@elmpark.example');
    const chat = await say('due 60');
    expect(chat).toContain(`Thu 7 Jan 2027 · M.A. (Y4) · ${BOARD} · case PX-9`);
    expect(chat).not.toContain('23 Dec 2026');
  }, 900_000);

  it('a plan issued with the earlier steps not recorded: not recorded, never late; a missed step with nothing after it is still overdue', async () => {
    await start();
    await la();
    // Request 21 weeks ago, advice asked 20 weeks ago, the final plan issued 7 days ago: no decision to
    // assess, no decision to issue, no draft recorded.
    await cli(
      ...['case', 'open', '--student', 'F123456789012', '--kind', 'EHC_NEEDS_ASSESSMENT'],
      ...['--start', dayOffset(-147), '--event', `advice_requested=${dayOffset(-140)}`],
      ...['--owner', 'karen.obi@la.example', '--reference', 'LA-3'],
    );
    const issued = await cli('case', 'event', 'LA-3', 'final_plan_issued', dayOffset(-7));
    const shows = (name: string) =>
      new RegExp(
        `${name} \\([^)]*\\)?: not recorded: final_plan_issued on ${DATE} shows it was taken \\(record \\w+ with its date\\)`,
      );
    expect(issued).toMatch(
      new RegExp(
        `Decision whether to assess: not recorded: final_plan_issued on ${DATE} shows it was taken \\(record assessment_decision with its date\\)`,
      ),
    );
    expect(issued).toMatch(
      new RegExp(
        `Decision whether to issue a plan \\(notify if not issuing\\): not recorded: final_plan_issued on ${DATE} shows it was taken`,
      ),
    );
    expect(issued).toMatch(shows('Assessment and advice complete'));
    expect(issued).toMatch(/Final EHC plan issued \(20 weeks\): met on/);
    expect(issued).not.toMatch(/OVERDUE|LA is late|MET LATE/);

    await say('as karen.obi@la.example');
    const due = await say('due 14');
    expect(due).not.toMatch(/Decision whether|Assessment and advice|Overdue/);
    await scenario.hub().tickAndDeliver();
    const grace = titles(await idOf('grace.mensah@la.example'));
    const karen = titles(await idOf('karen.obi@la.example'));
    expect(
      [...grace, ...karen].filter((x) => /Decision whether|Assessment and advice|Overdue/.test(x)),
    ).toEqual([]);

    // The decision recorded later meets the date as dated.
    const decided = await cli('case', 'event', 'LA-3', 'assessment_decision', dayOffset(-120));
    expect(decided).toMatch(/Decision whether to assess: met on/);

    // A decision to assess missed, nothing after it: still overdue, still Karen's to chase.
    await cli(
      ...['case', 'open', '--student', 'F123456789012', '--kind', 'EHC_NEEDS_ASSESSMENT'],
      ...['--start', dayOffset(-50), '--owner', 'karen.obi@la.example', '--reference', 'LA-4'],
    );
    expect(await cli('case', 'timeline', 'LA-4')).toMatch(/Decision whether to assess: OVERDUE by 8 days/);
    expect(await say('due 14')).toMatch(
      /Overdue deadlines \(1\)[\s\S]*Decision whether to assess · case LA-4/,
    );
  }, 900_000);

  it('a lead nudge sent late and the on-the-day nudge: one message that day', async () => {
    await start();
    await la();
    // Advice asked 6 weeks ago today: due today; its 3-working-day nudge fell while no tick ran.
    await cli(
      ...['case', 'open', '--student', 'F123456789012', '--kind', 'EHC_NEEDS_ASSESSMENT'],
      ...['--start', dayOffset(-44), '--event', `advice_requested=${dayOffset(-42)}`],
      ...['--event', `assessment_decision=${dayOffset(-43)}`],
      ...['--owner', 'karen.obi@la.example', '--reference', 'LA-5'],
    );
    await scenario.hub().tickAndDeliver();
    const karen = await idOf('karen.obi@la.example');
    expect(titles(karen).filter((x) => x.startsWith('Advice from a professional'))).toEqual([
      'Advice from a professional: due today',
    ]);
    // The next tick that day sends nothing more about it.
    await scenario.hub().tickAndDeliver();
    expect(titles(karen).filter((x) => x.startsWith('Advice from a professional'))).toHaveLength(1);
  }, 900_000);
});
