/**
 * From the users' seats on the demo school (the real CLI in another process, the console as each member of
 * staff; each database).
 *
 * Child-protection dates are children's social care's (Working Together to Safeguard Children 2023 ch. 3:
 * the initial child protection conference within 15 working days of the strategy discussion, the first
 * review within 3 months of it). A school's DSL or deputy who holds the case sees them as the LA's dates and
 * is never nudged or escalated for them as their own; the day after one passes with nothing recorded, the
 * case holder and the DSL are told once that the LA's date has passed, so they can chase children's social
 * care. Before this, these dates never said "has passed" to anybody.
 */
import { describe, expect, it } from 'vitest';
import { addMonths } from '../../core/calendar/months.ts';
import { addWorkingDays } from '../../core/calendar/working-days.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;
const dayOffset = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

describe.each(providers)('child-protection dates that pass, from the users seats (%s)', (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, say } = scenario;

  it('the ICPC and the first review conference read as passed to the case holder and the DSL, once; never nudged or escalated', async () => {
    const t = await scenario.start({ now: `${dayOffset(0)}T12:00:00.000Z` });
    await cli('demo');
    const holidays = new BankHolidayCalendar();
    // CP-1, held by the deputy DSL: the strategy discussion was 15 working days before the last working
    // day, so the ICPC was due then and nothing is recorded.
    const icpcDue = addWorkingDays(dayOffset(0), -1, holidays);
    const strategy = addWorkingDays(icpcDue, -15, holidays);
    await cli(
      ...['case', 'open', '--student', 'C123456789012', '--kind', 'CHILD_PROTECTION'],
      ...['--start', addWorkingDays(strategy, -1, holidays), '--owner', 'deputy.dsl@elmfield.example'],
      ...['--reference', 'CP-1'],
    );
    await cli('case', 'event', 'CP-1', 'referral_acknowledged', addWorkingDays(strategy, -1, holidays));
    await cli('case', 'event', 'CP-1', 'strategy_discussion', strategy);
    // CP-2, held by the DSL: the ICPC was held 3 months and 3 days ago; no review conference since.
    const icpc = addMonths(dayOffset(-3), -3);
    await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'CHILD_PROTECTION'],
      ...['--start', addWorkingDays(icpc, -17, holidays), '--owner', 'dsl@elmfield.example'],
      ...['--reference', 'CP-2'],
    );
    await cli('case', 'event', 'CP-2', 'strategy_discussion', addWorkingDays(icpc, -10, holidays));
    await cli('case', 'event', 'CP-2', 'icpc_held', icpc);
    await cli('case', 'event', 'CP-2', 'core_group_held', addWorkingDays(icpc, 8, holidays));
    await t.tickAndDeliver();

    const db = t.hub.dbh.db;
    const idOf = async (email: string) =>
      (await db.staff.findFirstOrThrow({ where: { email }, select: { id: true } })).id;
    const dsl = await idOf('dsl@elmfield.example');
    const deputy = await idOf('deputy.dsl@elmfield.example');
    const head = await idOf('head@elmfield.example');
    const shown = t.console.transcript();
    const titles = (staffId: string, re: RegExp) =>
      shown.filter((m) => m.staffId === staffId && re.test(m.message.title)).map((m) => m.message.title);
    const icpcPassed = new RegExp(
      `^The LA's date has passed: Initial child protection conference \\(15 working days\\) \\(was due ${DATE}\\)$`,
    );
    const reviewPassed =
      /^The LA's date has passed: First review conference \(within 3 months of ICPC\) \(was due /;
    // The deputy who holds CP-1 and the DSL are each told once that the ICPC date passed.
    expect(titles(deputy, icpcPassed)).toHaveLength(1);
    expect(titles(dsl, icpcPassed)).toHaveLength(1);
    // The DSL holds CP-2: told once (not twice) that the first review conference date passed.
    expect(titles(dsl, reviewPassed)).toHaveLength(1);
    expect(titles(deputy, reviewPassed)).toEqual([]);
    const msg = shown.find((m) => m.staffId === dsl && icpcPassed.test(m.message.title))!.message;
    expect(msg.text).toContain("children's social care's duty (the local authority's), not the school's");
    // Nobody is nudged for these dates as their own, and the head is never told his staff missed them.
    const cpDate = /Initial child protection conference|review conference|core group/;
    expect(
      shown.filter((m) => cpDate.test(m.message.title) && !/^The LA's date/.test(m.message.title)),
    ).toEqual([]);
    expect(titles(head, cpDate)).toEqual([]);

    // The deputy's own list: the ICPC is the LA's date, passed, not her overdue work.
    await say('as deputy.dsl@elmfield.example');
    const cases = await say('cases');
    expect(cases).toMatch(
      new RegExp(`Initial child protection conference \\(15 working days\\) \\(the LA's\\) passed ${DATE}`),
    );
    expect(cases).not.toMatch(/overdue/i);

    // A second tick tells nobody again.
    const before = t.console.transcript().length;
    await t.tickAndDeliver();
    expect(
      t.console
        .transcript()
        .slice(before)
        .filter((m) => cpDate.test(m.message.title)),
    ).toEqual([]);
  }, 300_000);
});
