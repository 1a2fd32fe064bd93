/**
 * From the users' seats on the demo school (the real CLI in another process, the console as each member of
 * staff; each database).
 *
 * The local authority's duties are the LA's when a school holds the case: a LAC review (Care Planning,
 * Placement and Case Review (England) Regulations 2010 reg 33: "the responsible authority must review the
 * child's case") and an EHC needs-assessment decision (SEND Regulations 2014 reg 5(1): "the local authority
 * must notify ..."). The designated teacher and the SENDCo see them as the LA's dates; nobody at school is
 * nudged or escalated as if they were theirs (the head is never told his staff missed them); the SENDCo is
 * told once, the day after the LA's date passes, so she can chase the LA.
 *
 * A suspension with its notified first day recorded as planned (`case event ... --planned`) has its 6th
 * school day (Education and Inspections Act 2006 s.100) at once, marked planned, in `case`, `cases` and
 * `due`; the actual first day, once recorded, replaces it.
 */
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;
const dayOffset = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

describe.each(providers)('the LA duties and a planned suspension, from the users seats (%s)', (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, say } = scenario;

  it('shows the LA dates as theirs, never nudges or escalates them to school staff, tells the SENDCo when one passes', async () => {
    // Midday today: the day's 08:00 nudges are due (the CLI's own clock gives the same date).
    const t = await scenario.start({ now: `${dayOffset(0)}T12:00:00.000Z` });
    await cli('demo');
    // The looked-after child came into care 60 days ago: the LA's first review passed a month ago.
    await cli('case', 'event', 'DEMO-PEP-1', 'became_looked_after', dayOffset(-60));
    // A request the LA received 6 weeks and a day ago: its decision whether to assess was due yesterday.
    await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'EHC_NEEDS_ASSESSMENT'],
      ...['--start', dayOffset(-43), '--owner', 'sendco@elmfield.example', '--reference', 'EHC-LA'],
    );
    await t.tickAndDeliver();
    const shown = t.console.transcript().map((m) => `${m.message.title}`);
    // Nobody is nudged about the LA's reviews or decisions as their own, and nobody is escalated for them.
    expect(shown.filter((x) => /LAC review|Decision whether to assess: due/.test(x))).toEqual([]);
    expect(shown.filter((x) => /^Overdue: (First LAC review|Decision whether to assess)/.test(x))).toEqual(
      [],
    );
    // The SENDCo holding the EHC case is told, once, that the LA's date has passed (to chase them).
    const late = t.console
      .transcript()
      .filter((m) => m.message.title.startsWith("The LA's date has passed: Decision whether to assess"));
    expect(late).toHaveLength(1);
    expect(late[0]!.message.title).toMatch(new RegExp(`\\(was due ${DATE}\\)$`));

    // The designated teacher: the LAC review is the LA's date, passed, not her overdue work.
    await say('as dt@elmfield.example');
    const dtCases = await say('cases');
    expect(dtCases).toMatch(
      new RegExp(`First LAC review \\(20 working days\\) \\(the LA's\\) passed ${DATE}`),
    );
    expect(dtCases).not.toMatch(/overdue/i);
    const timeline = await cli('case', 'timeline', 'DEMO-PEP-1');
    expect(timeline).toMatch(
      /First LAC review \(20 working days\) \(the LA's\): passed \d+ days ago, nothing recorded: the LA is late/,
    );
    expect(timeline).not.toMatch(/OVERDUE/);
    // The head: Hannah is not shown with an overdue deadline of hers.
    await say('as head@elmfield.example');
    const team = await say('cases team');
    expect(team).toMatch(/Hannah Cole: \d+ open · 0 overdue deadlines/);
    // The SENDCo: the LA's decision is listed as theirs.
    await say('as sendco@elmfield.example');
    expect(await say('due')).toMatch(/Decision whether to assess \(the LA's\)/);

    // A second tick tells nobody again.
    const before = t.console.transcript().length;
    await t.tickAndDeliver();
    expect(
      t.console
        .transcript()
        .slice(before)
        .filter((m) => /LA's date|LAC review|Decision whether to assess/.test(m.message.title)),
    ).toEqual([]);
  }, 300_000);

  it('counts the 6th school day of a suspension from its planned first day, replaced by the actual one', async () => {
    const t = await scenario.start({ now: new Date().toISOString() });
    await cli('demo');
    await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'SUSPENSION', '--start', dayOffset(0)],
      ...['--owner', 'behaviour@elmfield.example', '--reference', 'SUS-1'],
    );
    const sixth = new RegExp(
      `(${DATE}) {2}Education from the 6th school day \\(school, for a suspension\\) \\(planned start\\): open`,
    );
    const planned = await cli('case', 'event', 'SUS-1', 'first_day_of_suspension', dayOffset(1), '--planned');
    expect(planned).toMatch(/first_day_of_suspension \(planned: its 6th school day is counted from it\)/);
    expect(planned).toMatch(sixth);
    expect(planned).not.toMatch(/Deadlines:\n {2}none/);
    const due = planned.match(sixth)![1]!;

    // The behaviour lead's `cases` and `due` show it, marked planned.
    await say('as behaviour@elmfield.example');
    expect(await say('cases')).toMatch(
      new RegExp(
        `Education from the 6th school day \\(school, for a suspension\\) \\(planned start\\) due ${due}`,
      ),
    );
    expect(await say('cases')).not.toMatch(/waiting for the key date/);
    expect(await say('due 30d')).toMatch(
      /Education from the 6th school day \(school, for a suspension\) \(planned start\)/,
    );

    // The suspension begins a day early (today): the actual first day replaces the planned one.
    const actual = await cli('case', 'event', 'SUS-1', 'first_day_of_suspension', dayOffset(0));
    expect(actual).toMatch(/Education from the 6th school day \(school, for a suspension\): open/);
    expect(actual).not.toMatch(/\(planned start\): open/);
    await t.tickAndDeliver();
    const after = await cli('case', 'timeline', 'SUS-1');
    expect(after.match(/Education from the 6th school day[^\n]*: open/g)).toHaveLength(1);
    expect(after).not.toMatch(/\(planned start\): open/);
  }, 300_000);
});
