/**
 * Audit finding 3, from the behaviour coordinator's seat (the real CLI in another process, the console as
 * Marcus Bell; each database): the same pupil suspended twice in the autumn term, each suspension recorded
 * as its own case. SUS-D1: notified Mon 9 Nov 2026, 10 school days from Tue 10 Nov (back Tue 24 Nov);
 * SUS-D2: notified Mon 30 Nov, 6 school days from Tue 1 Dec (back Wed 9 Dec). 16 school days in the term:
 * the governing board must consider reinstatement within 15 school days of the notice of the suspension
 * that takes the total past 15 (School Discipline (Pupil Exclusions and Reviews) (England) Regulations
 * 2012 reg 6(3)(b)). By hand, with the demo's term dates (autumn to Fri 18 Dec, spring from Tue 5 Jan):
 * from Mon 30 Nov, 1-4 Dec (4), 7-11 Dec (9), 14-18 Dec (14), Tue 5 Jan 2027 (15). One date, on SUS-D2,
 * nudged once; SUS-D1 says where it is. Before the fix neither case had the board's date.
 */
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

describe.each(providers)("a pupil's suspensions in separate cases add up (%s)", (provider) => {
  const scenario = hubAndCli(provider);
  const { cli, say } = scenario;

  const open = (ref: string, notice: string, first: string, back: string) =>
    cli(
      ...['case', 'open', '--student', 'E123456789012', '--kind', 'SUSPENSION', '--start', notice],
      ...['--owner', 'behaviour@elmfield.example', '--reference', ref],
      ...['--event', `first_day_of_suspension=${first}`, '--event', `return_date=${back}`],
    );
  const BOARD = 'Governing board considers reinstatement';

  it('puts the board date on the case that takes the term past 15 school days, says so on both, nudges it once', async () => {
    // The morning the board's date falls due (the CLI records the cases on today's date, after them).
    const now = '2027-01-05T12:00:00.000Z';
    const t = await scenario.start({ now }, { SEND_HUB_TEST_NOW: now });
    await cli('demo');
    const first = await open('SUS-D1', '2026-11-09', '2026-11-10', '2026-11-24');
    expect(first).not.toMatch(new RegExp(BOARD));
    expect(first).not.toMatch(/Suspensions of this pupil/);

    // Opening the second case tells Marcus the running total and which case carries the board's date.
    const second = await open('SUS-D2', '2026-11-30', '2026-12-01', '2026-12-09');
    expect(second).toMatch(/Suspensions of this pupil \(this case with SUS-D1\):/);
    expect(second).toMatch(
      /autumn term 2026: 16 school days \(SUS-D1 10 from Tue 10 Nov 2026; SUS-D2 6 from Tue 1 Dec 2026\): over 15, the governing board must consider reinstatement \(reg 6\(3\)\(b\)\): its date is on this case, due Tue 5 Jan 2027/,
    );
    expect(second).toMatch(/school year 2026-27: 16 of at most 45 school days/);
    expect(second).toMatch(new RegExp(`Tue 5 Jan 2027 {2}${BOARD}[^\\n]*: open`));

    // The first case says where the board's date is, and has none of its own.
    const d1 = await cli('case', 'timeline', 'SUS-D1');
    expect(d1).toMatch(/its date is on SUS-D2, not this case, due Tue 5 Jan 2027/);
    expect(d1).not.toMatch(new RegExp(`${BOARD}[^\\n]*: open`));

    // `due`: one board date, on SUS-D2.
    const due = await cli('due', '--within', '60d');
    const boardLines = due.split('\n').filter((l) => l.includes(BOARD));
    expect(boardLines).toHaveLength(1);
    expect(boardLines[0]).toMatch(/^2027-01-05 .* case SUS-D2 /);

    // The tick on 5 Jan: Marcus is nudged about the board's date, on SUS-D2 only.
    await t.tickAndDeliver();
    const nudges = t.console.transcript().filter((m) => m.message.title.includes(BOARD));
    expect(nudges.length).toBeGreaterThan(0);
    expect(nudges.every((m) => !JSON.stringify(m.message).includes('SUS-D1'))).toBe(true);
    expect(new Set(nudges.map((m) => m.message.title)).size).toBe(nudges.length);
    // Chat `due` and `cases` agree: one board date.
    await say('as behaviour@elmfield.example');
    expect((await say('due 60')).split(BOARD).length - 1).toBe(1);
    expect(await say('cases')).toMatch(/SUS-D2/);
  }, 300_000);
});
