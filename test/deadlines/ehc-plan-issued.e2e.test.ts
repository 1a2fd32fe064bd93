import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli, northshireLa } from '../support/hub-cli.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;
/** The hub here and `send-hub` in its own process (SEND_HUB_TEST_NOW) both read this instant. */
const NOW = '2026-12-07T12:00:00.000Z';
const dayOffset = (days: number) =>
  new Date(Date.parse(NOW) + days * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

describe.each(
  providers,
)('a post-16 transfer and an EHC plan issued, from the users seats (%s)', (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, staffId: idOf, titlesTo: titles } = scenario;

  it('the SENDCo: a transfer to post-16 has 31 March only', async () => {
    await scenario.start({ now: NOW }, { SEND_HUB_TEST_NOW: NOW });
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
    const t = await scenario.start({ now: NOW }, { SEND_HUB_TEST_NOW: NOW });
    await northshireLa(scenario);
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
