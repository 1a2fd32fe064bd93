/**
 * From the users' seats (the real CLI in another process, the console as each member of staff; each
 * database): statutory dates that were wrong or misleading (audit findings 5, 8; 4 and 6 in
 * ehc-plan-issued.e2e.test.ts).
 *
 * - A permanently excluded pupil's education from the 6th school day is the local authority's duty
 *   (Education Act 1996 s.19(3A), inserted by Education and Inspections Act 2006 s.101; s.100 is the
 *   governing board's duty for suspensions): the behaviour lead sees it as the LA's, is never nudged about
 *   it as his own, the head never hears he missed it; he is told once, the day after, that the LA's date
 *   has passed. The LA's decision after an annual review (SEND Regulations 2014 reg 20(10)), the final
 *   amended plan (reg 22) and the phase-transfer dates (reg 18) likewise, for the SENDCo.
 * - A nudge sent after its date says how late it is, not "due today".
 */
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;
/** The hub here and `send-hub` in its own process (SEND_HUB_TEST_NOW) both read this instant. */
const NOW = '2026-12-07T12:00:00.000Z';
const dayOffset = (days: number) =>
  new Date(Date.parse(NOW) + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const esc = (s: string) => s.replace(/[()]/g, '\\$&');

describe.each(providers)('statutory dates from the users seats (%s)', (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, say, staffId: idOf, titlesTo: titles } = scenario;

  it('the behaviour lead: a permanent exclusion 6th day is the LA date; a suspension nudge sent late says how late', async () => {
    const t = await scenario.start({ now: NOW }, { SEND_HUB_TEST_NOW: NOW });
    await cli('demo');
    // Both opened today, after the 6th school day of each (first day 10 days ago) had passed.
    const px = await cli(
      ...['case', 'open', '--student', 'E123456789012', '--kind', 'PERMANENT_EXCLUSION'],
      ...['--start', dayOffset(-11), '--event', `first_day_of_exclusion=${dayOffset(-10)}`],
      ...['--owner', 'behaviour@elmfield.example', '--reference', 'PX-1'],
    );
    const x5 = 'Education from the 6th school day (permanent exclusion)';
    expect(px).toMatch(
      new RegExp(
        `${DATE} {2}${esc(x5)} \\(the LA's\\): passed \\d+ days ago, nothing recorded: the LA is late`,
      ),
    );
    expect(px).toMatch(
      /source: Education Act 1996 s\.19\(3A\)-\(3B\) \(inserted by Education and Inspections Act 2006 s\.101\)/,
    );
    expect(px).not.toMatch(/s\.100-101/);
    // The governing board's review is the school's own.
    expect(px).toMatch(/Governing board considers reinstatement \(15 school days\): open/);
    const sus = await cli(
      ...['case', 'open', '--student', 'C123456789012', '--kind', 'SUSPENSION'],
      ...['--start', dayOffset(-11), '--event', `first_day_of_suspension=${dayOffset(-10)}`],
      ...['--owner', 'behaviour@elmfield.example', '--reference', 'SUS-1'],
    );
    const x5s = 'Education from the 6th school day (school, for a suspension)';
    const susDue = sus.match(new RegExp(`(${DATE}) {2}${esc(x5s)}: OVERDUE by (\\d+) days`));
    expect(susDue, sus).not.toBeNull();
    const pxDue = px.match(new RegExp(`(${DATE}) {2}${esc(x5)}`))![1]!;
    await t.tickAndDeliver();

    const marcus = titles(await idOf('behaviour@elmfield.example'));
    // Never nudged about the LA's date as his own; told once that it has passed.
    expect(marcus.filter((x) => x.startsWith(`${x5}:`))).toEqual([]);
    expect(marcus.filter((x) => x.includes(x5))).toEqual([
      `The LA's date has passed: ${x5} (was due ${pxDue})`,
    ]);
    // The suspension's 6th school day is the school's: nudged, sent late, saying how late (was "due today").
    const susNudges = marcus.filter((x) => x.startsWith(`${x5s}:`));
    expect(susNudges).toEqual([`${x5s}: ${susDue![2]} days overdue (was due ${susDue![1]})`]);
    expect(marcus.filter((x) => /due today/.test(x))).toEqual([]);
    // The head is told about the school's missed date, never about the LA's.
    const head = titles(await idOf('head@elmfield.example'));
    expect(head.filter((x) => x.includes(x5))).toEqual([]);
    expect(head).toContain(`Overdue: ${x5s} (was due ${susDue![1]})`);

    await say('as behaviour@elmfield.example');
    const cases = await say('cases');
    expect(cases).toMatch(new RegExp(`${esc(x5)} \\(the LA's\\) passed ${DATE}`));
    expect(cases).not.toMatch(new RegExp(`${esc(x5)}[^\\n]*OVERDUE`));

    // A second tick tells nobody again.
    const before = t.console.transcript().length;
    await t.tickAndDeliver();
    expect(
      t.console
        .transcript()
        .slice(before)
        .filter((m) => m.message.title.includes('6th school day')),
    ).toEqual([]);
  }, 300_000);

  it('the SENDCo: the LA decision after a review and the phase-transfer dates are the LA dates', async () => {
    const t = await scenario.start({ now: NOW }, { SEND_HUB_TEST_NOW: NOW });
    await cli('demo');
    // The review meeting was 30 days ago: the LA's decision (4 weeks) was due 2 days ago; nothing recorded.
    const ar = await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'ANNUAL_REVIEW'],
      ...['--start', dayOffset(-340), '--event', `review_meeting_held=${dayOffset(-30)}`],
      ...['--owner', 'sendco@elmfield.example', '--reference', 'AR-7'],
    );
    const r7 = 'LA decision to keep, amend or cease (4 weeks after the meeting)';
    expect(ar).toMatch(
      new RegExp(`${esc(r7)} \\(the LA's\\): passed 2 days ago, nothing recorded: the LA is late`),
    );
    // The amendment notice was served today: the final amended plan (8 weeks) is the LA's, ahead.
    const amended = await cli('case', 'event', 'AR-7', 'amendment_notice_served', dayOffset(0));
    expect(amended).toMatch(/Final amended plan \(8 weeks after the amendment notice\) \(the LA's\): open/);
    // The review report (2 weeks after the meeting) stays the school's.
    expect(amended).toMatch(/Review report sent \(2 weeks after the meeting\): OVERDUE by 16 days/);
    const pt = await cli(
      ...['case', 'open', '--student', 'D123456789012', '--kind', 'PHASE_TRANSFER', '--start', '2027-09-01'],
      ...['--owner', 'sendco@elmfield.example', '--reference', 'PT-1'],
    );
    expect(pt).toMatch(
      /Mon 15 Feb 2027 {2}Plan reviewed and amended for phase transfer \(15 February\) \(the LA's\): open/,
    );
    // A tribunal's order to amend the plan (SEND Regulations 2014 reg 44(2)(e)): the LA must issue the
    // amended plan within 5 weeks; a school holding the case reads it as the LA's.
    const tr = await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'TRIBUNAL_ORDER'],
      ...['--start', dayOffset(-1), '--event', `order_to_amend=${dayOffset(-1)}`],
      ...['--owner', 'sendco@elmfield.example', '--reference', 'TR-1'],
    );
    expect(tr).toMatch(/Amend the plan after an order \(5 weeks\) \(the LA's\): open/);
    await t.tickAndDeliver();

    const priya = titles(await idOf('sendco@elmfield.example'));
    expect(priya.filter((x) => x.startsWith(`${r7}:`))).toEqual([]);
    expect(priya.filter((x) => x.includes(r7))).toEqual([
      `The LA's date has passed: ${r7} (was due ${ar.match(new RegExp(`(${DATE}) {2}${esc(r7)}`))![1]})`,
    ]);
    const head = titles(await idOf('head@elmfield.example'));
    expect(
      head.filter((x) => /LA decision|Final amended plan|phase transfer|after an order/.test(x)),
    ).toEqual([]);
    expect(priya.filter((x) => x.startsWith('Amend the plan after an order'))).toEqual([]);
    await say('as sendco@elmfield.example');
    const due = await say('due 90');
    expect(due).toMatch(
      /Plan reviewed and amended for phase transfer \(15 February\) \(the LA's\) · case PT-1/,
    );
    expect(due).toMatch(/Final amended plan \(8 weeks after the amendment notice\) \(the LA's\) · case AR-7/);
  }, 300_000);
});
