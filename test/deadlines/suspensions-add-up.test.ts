/**
 * Audit finding 3, the engine's part: a pupil's suspensions recorded in separate cases add up per term
 * (School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 6(3)(b)). The board's
 * date (X6s) goes on the one case whose suspension takes the term's total past 15 school days, from that
 * suspension's notice, whichever order the cases were opened in; the demo's term dates (autumn to
 * Fri 18 Dec 2026, spring from Tue 5 Jan 2027).
 */
import { describe, expect, it } from 'vitest';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { evaluateCase } from '../../core/deadlines/engine.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import { pupilSuspensions } from '../../core/deadlines/suspension.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const book = new RuleBook();
const sd = schoolDays(
  {
    terms: [
      { start: '2026-09-03', end: '2026-12-18' },
      { start: '2027-01-05', end: '2027-03-26' },
    ],
    closures: [],
  },
  holidays,
);
const ctx = { holidays, schoolDays: sd };
const facts = (p: string, notice: string, first: string, back: string) => [
  { id: `${p}-n`, kind: 'suspension_notified', occurredOn: notice },
  { id: `${p}-f`, kind: 'first_day_of_suspension', occurredOn: first },
  { id: `${p}-r`, kind: 'return_date', occurredOn: back },
];
const D1 = facts('d1', '2026-11-09', '2026-11-10', '2026-11-24'); // 10 school days
const D2 = facts('d2', '2026-11-30', '2026-12-01', '2026-12-09'); // 6 school days
const board = (events: typeof D1, others?: (typeof D1)[]) =>
  evaluateCase(
    { kind: 'SUSPENSION', rulePack: 'england-exclusions@2023', events, ...(others ? { others } : {}) },
    book,
    ctx,
  ).filter((d) => d.rule.id === 'X6s');

describe("a pupil's suspensions across cases", () => {
  it('counts 10 + 6 = 16 school days in the autumn term, the second crossing 15', () => {
    const all = pupilSuspensions([D2, D1], sd);
    expect(all.map((p) => [p.of, p.s.days, p.crossesTerm])).toEqual([
      [1, 10, false],
      [0, 6, true],
    ]);
  });

  it('puts the board date on the second case only: 15 school days from its notice, Tue 5 Jan 2027', () => {
    expect(board(D2, [D1]).map((d) => d.dueOn)).toEqual(['2027-01-05']);
    expect(board(D1, [D2])).toEqual([]);
    // One case alone does not pass 15 (as before: neither had the date).
    expect(board(D2)).toEqual([]);
    expect(board(D1)).toEqual([]);
  });

  it('a suspension of another term does not count', () => {
    const spring = facts('s', '2027-01-11', '2027-01-12', '2027-01-19');
    expect(board(spring, [D1, D2])).toEqual([]);
  });

  it('one with no return date counts as continuing, through today (never 0 days)', () => {
    const open = D2.filter((e) => e.kind !== 'return_date');
    const on = (today: string) =>
      evaluateCase(
        { kind: 'SUSPENSION', rulePack: 'england-exclusions@2023', events: open, others: [D1] },
        book,
        { ...ctx, today },
      ).filter((d) => d.rule.id === 'X6s');
    // Fri 4 Dec: 1-4 Dec, 10 + 4 = 14. Tue 8 Dec: 1-4, 7, 8 Dec, 10 + 6 = 16: the board's date, Tue 5 Jan.
    expect(on('2026-12-04')).toEqual([]);
    expect(on('2026-12-08').map((d) => d.dueOn)).toEqual(['2027-01-05']);
    expect(pupilSuspensions([open], sd, '2026-12-08')[0]!.s).toMatchObject({ days: 6, open: true });
  });

  it('a suspension across the Christmas break counts its school days in each term', () => {
    // 14-18 Dec (5, autumn), 5-8 and 11 Jan (5, spring), back Tue 12 Jan.
    const x = facts('x', '2026-12-11', '2026-12-14', '2027-01-12');
    const [p] = pupilSuspensions([x], sd);
    expect([...p!.s.byTerm]).toEqual([
      ['2026-09-01', 5],
      ['2027-01-01', 5],
    ]);
    // With D1 (10): autumn 15, not more than 15: no board date (all 10 in autumn made 20).
    expect(board(x, [D1])).toEqual([]);
  });
});
