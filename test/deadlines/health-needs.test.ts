/**
 * Children who cannot attend school because of health needs (H1, H1c, H2 in docs/deadlines.md): the
 * arithmetic on a school's real summer term 2026, with the early May bank holiday (Mon 4 May 2026) and an
 * INSET day; a spell that ends before its 15th school day carries no H1; education arranged before a
 * planned admission meets it; the spells of a school year are added up (H1c on the 15th school day of
 * absence in all), a person's `absences_reached_15_days` taking the hub's place; a second first day with
 * no return recorded between is the same absence (one H1 from its first day, its days counted once);
 * derived events are not recordable.
 */
import { describe, expect, it } from 'vitest';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { evaluateCase } from '../../core/deadlines/engine.ts';
import { checkEvent, eventKindsFor } from '../../core/deadlines/events.ts';
import { healthNeeds2023 } from '../../core/deadlines/packs/health-needs-2023.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import { caseKinds } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const book = new RuleBook();
const PACK = 'england-health-needs@2023';
/** Summer term 2026: 13 Apr to 22 Jul, half-term 25-29 May (Mon 25 May the spring bank holiday). */
const term = (closures: { start: string; end: string }[]) =>
  schoolDays(
    {
      terms: [
        { start: '2026-04-13', end: '2026-05-22' },
        { start: '2026-06-01', end: '2026-07-22' },
      ],
      closures,
    },
    holidays,
  );
const ctx = { holidays, schoolDays: term([]) };

function evaluate(events: [string, string][], c = ctx) {
  return evaluateCase(
    {
      kind: 'HEALTH_NEEDS',
      rulePack: PACK,
      events: events.map(([k, d], i) => ({ id: `e${i}`, kind: k, occurredOn: d })),
    },
    book,
    c,
  ).map((d) => [d.key.split('#')[0], d.dueOn, d.metOn ?? null]);
}

describe('health needs pack (england-health-needs@2023)', () => {
  it('is the pack for HEALTH_NEEDS cases from Dec 2023, started by the first day of absence, citing s.19 and the guidance', () => {
    expect(caseKinds).toContain('HEALTH_NEEDS');
    expect(book.packFor('HEALTH_NEEDS', '2026-04-20').id).toBe(PACK);
    expect(() => book.packFor('HEALTH_NEEDS', '2023-11-30')).toThrow(/no rule pack/);
    expect(book.startEvent('HEALTH_NEEDS', PACK)).toBe('first_day_of_absence');
    for (const r of healthNeeds2023.rules) {
      expect(r.status).toBe('guidance');
      expect(r.source).toContain(
        'https://www.gov.uk/government/publications/education-for-children-with-health-needs',
      );
    }
    expect(healthNeeds2023.rules.find((r) => r.id === 'H1')!.source).toContain(
      'https://www.legislation.gov.uk/ukpga/1996/56/section/19',
    );
  });

  it('H1: the 15th school day of absence, the first day counted, the May bank holiday skipped', () => {
    // Mon 20 Apr is day 1; Fri 1 May day 10; Mon 4 May a bank holiday; Mon 11 May day 15.
    expect(evaluate([['first_day_of_absence', '2026-04-20']])).toEqual([['H1', '2026-05-11', null]]);
    // An INSET day (Fri 1 May) is not a school day either: day 15 is Tue 12 May.
    const inset = { holidays, schoolDays: term([{ start: '2026-05-01', end: '2026-05-01' }]) };
    expect(evaluate([['first_day_of_absence', '2026-04-20']], inset)).toEqual([['H1', '2026-05-12', null]]);
    // Admitted on a Saturday: day 1 is the Monday after.
    expect(evaluate([['first_day_of_absence', '2026-04-18']])).toEqual([['H1', '2026-05-11', null]]);
    // Across half-term (25-29 May): Mon 11 May day 1 ... Fri 22 May day 10, Mon 1 Jun day 11, Fri 5 Jun day 15.
    expect(evaluate([['first_day_of_absence', '2026-05-11']])).toEqual([['H1', '2026-06-05', null]]);
  });

  it('H1 is met by education_arranged on or after the first day; a spell shorter than 15 school days has none', () => {
    expect(
      evaluate([
        ['first_day_of_absence', '2026-04-20'],
        ['education_arranged', '2026-04-29'],
      ]),
    ).toEqual([['H1', '2026-05-11', '2026-04-29']]);
    // Back on Mon 4 May (a bank holiday; 10 school days away): no H1, and the return asks for a
    // reintegration plan (H2, guidance) that day.
    expect(
      evaluate([
        ['first_day_of_absence', '2026-04-20'],
        ['return_date', '2026-05-04'],
      ]),
    ).toEqual([['H2', '2026-05-04', null]]);
    // Back on Tue 12 May: 15 school days away, H1 stands.
    expect(
      evaluate([
        ['first_day_of_absence', '2026-04-20'],
        ['return_date', '2026-05-12'],
        ['reintegration_plan_agreed', '2026-05-12'],
      ]),
    ).toEqual([
      ['H1', '2026-05-11', null],
      ['H2', '2026-05-12', '2026-05-12'],
    ]);
    // A plan agreed before the return meets nothing (as every rule: Done); education arranged before the
    // first day of absence (a planned admission) meets H1 (docs/deadlines.md).
    expect(
      evaluate([
        ['education_arranged', '2026-04-17'],
        ['first_day_of_absence', '2026-04-20'],
        ['reintegration_plan_agreed', '2026-05-11'],
        ['return_date', '2026-05-12'],
      ]),
    ).toEqual([
      ['H1', '2026-05-11', '2026-04-17'],
      ['H2', '2026-05-12', null],
    ]);
    // Admitted on a Saturday, teaching arranged that day: met (the count starts on the Monday).
    expect(
      evaluate([
        ['first_day_of_absence', '2026-04-18'],
        ['education_arranged', '2026-04-18'],
      ]),
    ).toEqual([['H1', '2026-05-11', '2026-04-18']]);
  });

  it('education arranged for an earlier spell that has ended does not meet a later one', () => {
    // 20 Apr to 12 May: 15 school days, education arranged on 29 Apr. Away again from Mon 1 Jun: its
    // H1 (Fri 19 Jun) is open; teaching arranged after the return (Thu 28 May) would meet it.
    const spells: [string, string][] = [
      ['first_day_of_absence', '2026-04-20'],
      ['education_arranged', '2026-04-29'],
      ['return_date', '2026-05-12'],
      ['first_day_of_absence', '2026-06-01'],
    ];
    expect(evaluate(spells)).toEqual([
      ['H1', '2026-05-11', '2026-04-29'],
      ['H1', '2026-06-19', null],
      ['H2', '2026-05-12', null],
    ]);
    expect(evaluate([...spells, ['education_arranged', '2026-05-28']])).toEqual([
      ['H1', '2026-05-11', '2026-04-29'],
      ['H1', '2026-06-19', '2026-05-28'],
      ['H2', '2026-05-12', null],
    ]);
  });

  it('separate spells are added up in the school year: H1c on the 15th school day of absence in all', () => {
    const spells: [string, string][] = [
      ['first_day_of_absence', '2026-04-20'],
      ['return_date', '2026-04-27'],
      ['first_day_of_absence', '2026-05-05'],
      ['return_date', '2026-05-13'],
    ];
    // 5 + 6 school days (Mon 4 May a bank holiday): 11, neither spell 15 alone; nothing to arrange yet.
    expect(evaluate(spells)).toEqual([['H2', '2026-05-13', null]]);
    // Away again from Mon 1 Jun (after half-term): 1, 2, 3, 4 Jun are days 12-15 of the year's absence,
    // so H1c is due Thu 4 Jun, before this spell's own 15th school day (H1, Fri 19 Jun).
    const third: [string, string][] = [...spells, ['first_day_of_absence', '2026-06-01']];
    expect(evaluate(third)).toEqual([
      ['H1', '2026-06-19', null],
      ['H1c', '2026-06-04', null],
      ['H2', '2026-05-13', null],
    ]);
    // Teaching arranged in half-term, after the last return, meets both.
    expect(evaluate([...third, ['education_arranged', '2026-05-27']])).toEqual([
      ['H1', '2026-06-19', '2026-05-27'],
      ['H1c', '2026-06-04', '2026-05-27'],
      ['H2', '2026-05-13', null],
    ]);
    // Back on Wed 3 Jun (2 days): 13 in all, no H1c, no H1.
    expect(evaluate([...third, ['return_date', '2026-06-03']])).toEqual([['H2', '2026-06-03', null]]);
  });

  it('a second first day with no return recorded between is the same absence: one H1 from its first day', () => {
    // In hospital from Mon 20 Apr, moved to home tuition on Mon 27 Apr and recorded as a new first day,
    // no return to school in between: one absence, its 15th school day Mon 11 May (not a second clock
    // from 27 Apr, nor an H1c from its days counted twice).
    const moved: [string, string][] = [
      ['first_day_of_absence', '2026-04-20'],
      ['first_day_of_absence', '2026-04-27'],
    ];
    expect(evaluate(moved)).toEqual([['H1', '2026-05-11', null]]);
    // Entered out of order, or the same date twice: the same one absence, from its earliest first day.
    expect(evaluate([moved[1]!, moved[0]!])).toEqual([['H1', '2026-05-11', null]]);
    expect(evaluate([moved[0]!, moved[0]!])).toEqual([['H1', '2026-05-11', null]]);
    // Teaching arranged between the two first days meets it; the return ends the one absence (15 school
    // days away, 20 Apr to 11 May: H1 stands).
    expect(evaluate([...moved, ['education_arranged', '2026-04-23'], ['return_date', '2026-05-12']])).toEqual(
      [
        ['H1', '2026-05-11', '2026-04-23'],
        ['H2', '2026-05-12', null],
      ],
    );
    // Back after 10 school days (Mon 4 May a bank holiday): no H1, whatever the second first day says.
    expect(evaluate([...moved, ['return_date', '2026-05-05']])).toEqual([['H2', '2026-05-05', null]]);
    // A first day after a recorded return is a new absence, with its own clock (as before).
    expect(
      evaluate([
        ['first_day_of_absence', '2026-04-20'],
        ['return_date', '2026-05-12'],
        ['first_day_of_absence', '2026-06-01'],
        ['first_day_of_absence', '2026-06-08'],
      ]),
    ).toEqual([
      ['H1', '2026-05-11', null],
      ['H1', '2026-06-19', null],
      ['H2', '2026-05-12', null],
    ]);
  });

  it('a continuing absence recorded twice keeps the school year adding-up (H1c) right', () => {
    const spells: [string, string][] = [
      ['first_day_of_absence', '2026-04-20'],
      ['return_date', '2026-04-27'],
      ['first_day_of_absence', '2026-05-05'],
      ['return_date', '2026-05-13'],
      ['first_day_of_absence', '2026-06-01'],
    ];
    // The third absence recorded again on Wed 3 Jun (moved home): the same H1 (Fri 19 Jun) and H1c (Thu
    // 4 Jun, the 15th school day of absence in the year) as without it.
    expect(evaluate([...spells, ['first_day_of_absence', '2026-06-03']])).toEqual([
      ['H1', '2026-06-19', null],
      ['H1c', '2026-06-04', null],
      ['H2', '2026-05-13', null],
    ]);
    // One absence alone, recorded twice: its own 15th school day is H1; nothing is added up (no H1c).
    expect(
      evaluate([
        ['first_day_of_absence', '2026-06-01'],
        ['first_day_of_absence', '2026-06-15'],
      ]),
    ).toEqual([['H1', '2026-06-19', null]]);
  });

  it("a person's own record of the day the register reached 15 takes the hub's place, on the same deadline", () => {
    const keys = (events: [string, string][]) =>
      evaluateCase(
        {
          kind: 'HEALTH_NEEDS',
          rulePack: PACK,
          events: events.map(([k, d], i) => ({ id: `e${i}`, kind: k, occurredOn: d })),
        },
        book,
        ctx,
      )
        .filter((d) => d.rule.id === 'H1c')
        .map((d) => [d.key, d.dueOn]);
    const third: [string, string][] = [
      ['first_day_of_absence', '2026-04-20'],
      ['return_date', '2026-04-27'],
      ['first_day_of_absence', '2026-05-05'],
      ['return_date', '2026-05-13'],
      ['first_day_of_absence', '2026-06-01'],
    ];
    const hub = keys(third);
    // The register shows single days of illness the spells do not: 15 reached on Wed 20 May.
    const mine = keys([...third, ['absences_reached_15_days', '2026-05-20']]);
    expect(hub).toEqual([['H1c#sy2025~h1c', '2026-06-04']]);
    expect(mine).toEqual([['H1c#sy2025~h1c', '2026-05-20']]);
    // With no spells to add up, the person's record alone raises it, due that day (as before).
    expect(
      evaluate([
        ['first_day_of_absence', '2026-04-20'],
        ['return_date', '2026-04-27'],
        ['absences_reached_15_days', '2026-06-03'],
      ]),
    ).toEqual([
      ['H1c', '2026-06-03', null],
      ['H2', '2026-04-27', null],
    ]);
  });

  it('a new school year starts the count again; a single spell is H1 alone', () => {
    const year = {
      holidays,
      schoolDays: schoolDays(
        {
          terms: [
            { start: '2026-06-01', end: '2026-07-22' },
            { start: '2026-09-02', end: '2026-10-23' },
          ],
          closures: [],
        },
        holidays,
      ),
    };
    // Mon 13 to Wed 22 Jul: 8 school days in 2025-26; Wed 2 to Fri 11 Sep: 8 in 2026-27. No H1c.
    expect(
      evaluate(
        [
          ['first_day_of_absence', '2026-07-13'],
          ['return_date', '2026-07-23'],
          ['first_day_of_absence', '2026-09-02'],
          ['return_date', '2026-09-14'],
        ],
        year,
      ),
    ).toEqual([['H2', '2026-09-14', null]]);
    // One long spell: its own 15th school day is H1; no H1c beside it.
    expect(evaluate([['first_day_of_absence', '2026-06-01']], year)).toEqual([['H1', '2026-06-19', null]]);
  });

  it('the key events a person records; the derived one is not among them; a return date may be in advance', () => {
    expect(eventKindsFor('HEALTH_NEEDS', PACK, book)).toEqual([
      'first_day_of_absence',
      'education_arranged',
      'return_date',
      'reintegration_plan_agreed',
      'absences_reached_15_days',
    ]);
    const check = (kind: string, occurredOn: string) =>
      checkEvent({ caseKind: 'HEALTH_NEEDS', packId: PACK, kind, occurredOn }, '2026-05-01', book).ok;
    expect(check('absence_15_school_days', '2026-04-20')).toBe(false);
    expect(check('absences_15_school_days_in_year', '2026-04-20')).toBe(false);
    expect(check('absences_reached_15_days', '2026-04-20')).toBe(true);
    expect(check('return_date', '2026-06-01')).toBe(true);
    expect(check('education_arranged', '2026-06-01')).toBe(false);
  });
});
