/**
 * The last audit's gaps in adding a pupil's suspensions up, from the behaviour coordinator's seat (the real
 * CLI in another process, the console as Marcus Bell; each database). The governing board must consider
 * reinstatement within 15 school days of the notice once the pupil's suspensions in a term total more than
 * 15 school days (School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 6(3)(b)).
 * Term dates: the demo's 2025/26 (autumn Wed 3 Sep to Thu 18 Dec 2025, spring Mon 5 Jan to Thu 26 Mar 2026;
 * no bank holiday inside a term): the CLI runs on a fixed clock, Mon 7 Dec 2026 (CLI_NOW, SEND_HUB_TEST_NOW),
 * so a suspension across the 2025/26 Christmas break is in its past, and the 2026/27 break is not yet. Worked
 * by hand:
 * 1. No return date. SUS-N1 10 school days from Tue 4 Nov 2025 (back Tue 18 Nov); SUS-N2 notified Fri 28 Nov,
 *    first day Mon 1 Dec, no return date recorded: it continues, so the autumn term counts 1-5, 8-12, 15-18
 *    Dec = 14 of its school days, 24 in all (the console, on Fri 12 Dec 2025: 10, 20 in all). The board's date
 *    from Fri 28 Nov: 1-5 Dec (5), 8-12 Dec (10), 15-18 Dec (14), Mon 5 Jan 2026 (15). Before: SUS-N2 counted
 *    0 days, no board date anywhere.
 * 2. Across two terms. SUS-T1 10 from Tue 4 Nov 2025; SUS-T2 notified Fri 12 Dec, 15-18 Dec (4, autumn) and
 *    5-9, 12 Jan 2026 (6, spring), back Tue 13 Jan; SUS-T3 notified Fri 16 Jan, 19-23, 26-30 Jan, 2 Feb = 11,
 *    back Tue 3 Feb. Autumn 10 + 4 = 14 (not more than 15); spring 6 + 11 = 17: the board's date on SUS-T3,
 *    from Fri 16 Jan: 19-23 Jan (5), 26-30 Jan (10), 2-6 Feb (15) = Fri 6 Feb 2026. Before: all of SUS-T2
 *    counted in autumn (20: a board date on SUS-T2, Mon 19 Jan 2026) and spring 11 (none on SUS-T3).
 */
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const CLI_NOW = '2026-12-07T12:00:00.000Z';

describe.each(providers)("a pupil's suspensions add up truly (%s)", (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, say } = scenario;

  const open = (ref: string, notice: string, first: string, back?: string) =>
    cli(
      ...['case', 'open', '--student', 'E123456789012', '--kind', 'SUSPENSION', '--start', notice],
      ...['--owner', 'behaviour@elmfield.example', '--reference', ref],
      ...['--event', `first_day_of_suspension=${first}`],
      ...(back ? ['--event', `return_date=${back}`] : []),
    );
  const BOARD = 'Governing board considers reinstatement';
  const boardLines = (out: string) => out.split('\n').filter((l) => l.includes(BOARD));

  it('counts a suspension with no return date as continuing through today, and says so', async () => {
    await scenario.start({ now: '2025-12-12T12:00:00.000Z' }, { SEND_HUB_TEST_NOW: CLI_NOW });
    await cli('demo');
    await open('SUS-N1', '2025-11-03', '2025-11-04', '2025-11-18');
    const n2 = await open('SUS-N2', '2025-11-28', '2025-12-01');
    expect(n2).toMatch(
      /autumn term 2025: 24 school days \(SUS-N1 10 from Tue 4 Nov 2025; SUS-N2 14 \(of \d+\) from Mon 1 Dec 2025, no return date recorded: counted through today\): over 15, the governing board must consider reinstatement \(reg 6\(3\)\(b\)\): its date is on this case, due Mon 5 Jan 2026/,
    );
    expect(n2).toMatch(new RegExp(`Mon 5 Jan 2026 {2}${BOARD}`));
    const timeline = await cli('case', 'timeline', 'SUS-N2');
    expect(timeline).toMatch(/Attention: no return date recorded for the suspension from 2025-12-01/);
    // SUS-N1, fully recorded, raises no such flag.
    expect(await cli('case', 'timeline', 'SUS-N1')).not.toMatch(/no return date recorded for/);

    // Marcus, in the console: one board date, on SUS-N2.
    await say('as behaviour@elmfield.example');
    const due = await say('due 30');
    expect(boardLines(due)).toHaveLength(1);
    expect(boardLines(due)[0]).toMatch(/SUS-N2/);
    expect(boardLines(due)[0]).toMatch(/Mon 5 Jan 2026|2026-01-05/);
  }, 300_000);

  it("counts a suspension across two terms in each term's total", async () => {
    await scenario.start({ now: '2026-01-21T12:00:00.000Z' }, { SEND_HUB_TEST_NOW: CLI_NOW });
    await cli('demo');
    await open('SUS-T1', '2025-11-03', '2025-11-04', '2025-11-18');
    const t2 = await open('SUS-T2', '2025-12-12', '2025-12-15', '2026-01-13');
    const autumn = t2.split('\n').find((l) => l.includes('autumn term 2025'));
    expect(autumn).toMatch(
      /autumn term 2025: 14 school days \(SUS-T1 10 from Tue 4 Nov 2025; SUS-T2 4 \(of 10\) from Mon 15 Dec 2025\)/,
    );
    expect(autumn).not.toMatch(/over 15/);
    expect(t2).toMatch(/spring term 2026: 6 school days \(SUS-T2 6 \(of 10\) from Mon 15 Dec 2025\)/);
    expect(t2).toMatch(/school year 2025-26: 20 of at most 45 school days/);
    expect(boardLines(t2)).toHaveLength(0);
    const t3 = await open('SUS-T3', '2026-01-16', '2026-01-19', '2026-02-03');
    expect(t3).toMatch(
      /spring term 2026: 17 school days \(SUS-T2 6 \(of 10\) from Mon 15 Dec 2025; SUS-T3 11 from Mon 19 Jan 2026\): over 15, the governing board must consider reinstatement \(reg 6\(3\)\(b\)\): its date is on this case, due Fri 6 Feb 2026/,
    );
    expect(t3).toMatch(/school year 2025-26: 31 of at most 45 school days/);
    expect(await cli('case', 'timeline', 'SUS-T2')).toMatch(
      /spring term 2026: 17 school days .*its date is on SUS-T3, not this case, due Fri 6 Feb 2026/,
    );

    // Marcus, in the console: one board date, SUS-T3's Fri 6 Feb; none on SUS-T2.
    await say('as behaviour@elmfield.example');
    const due = await say('due 60');
    expect(boardLines(due)).toHaveLength(1);
    expect(boardLines(due)[0]).toMatch(/SUS-T3/);
  }, 300_000);
});
