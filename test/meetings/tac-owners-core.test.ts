/** The TAC form's owner matching and date checks, pure (core/tac-notes/tac-owners.ts, tac-dates.ts). */
import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { checkTacDate } from '../../core/tac-notes/tac-dates.ts';
import { looksLikeDate, matchOwner } from '../../core/tac-notes/tac-owners.ts';

const staff = [
  { id: 's1', email: 'sian@school.example', displayName: 'Sian Pryce' },
  { id: 's2', email: 'sam.patel@school.example', displayName: 'Sam Patel' },
  { id: 's3', email: 'sam.smith@school.example', displayName: 'Sam Smith' },
  { id: 's4', email: 'zoe@school.example', displayName: 'Zoë Ó Briain' },
];

describe('matchOwner', () => {
  it('an email or id is exact; a first name, surname or initial-and-surname fits one colleague', () => {
    expect(matchOwner('SIAN@school.example', staff)).toMatchObject({ kind: 'colleague', how: 'exact' });
    expect(matchOwner('s2', staff)).toMatchObject({ kind: 'colleague', staff: { id: 's2' } });
    for (const typed of ['Sian', 'sian pryce', 'Pryce', 'S Pryce'])
      expect(matchOwner(typed, staff)).toMatchObject({ kind: 'colleague', staff: { id: 's1' }, how: 'name' });
    expect(matchOwner('zoe', staff)).toMatchObject({ kind: 'colleague', staff: { id: 's4' } });
  });
  it('several fitting: the one recorded as attending, else all listed; none: none', () => {
    expect(matchOwner('Sam', staff, 'Ken, Sam Smith (teacher), Mum')).toMatchObject({
      kind: 'colleague',
      staff: { id: 's3' },
      how: 'attending',
    });
    expect(matchOwner('Sam', staff, 'Ken')).toEqual({ kind: 'ambiguous', matches: [staff[1], staff[2]] });
    expect(matchOwner('Sam', staff, 'Sam Patel, Sam Smith')).toMatchObject({ kind: 'ambiguous' });
    expect(matchOwner('Dr Khan', staff)).toEqual({ kind: 'none' });
    expect(matchOwner('nobody@school.example', staff)).toEqual({ kind: 'none' });
  });
  it('an answer that reads as a date', () => {
    for (const d of ['Friday', 'fri', 'next Monday', 'tomorrow', '11/12', '2026-12-11', '11th December'])
      expect(looksLikeDate(d)).toBe(true);
    for (const p of ['Parent', 'School nurse (NHS)', 'Dr Khan', 'Mum']) expect(looksLikeDate(p)).toBe(false);
  });
});

describe('checkTacDate', () => {
  const holidays = { has: (d: IsoDate) => d === '2026-12-25' || d === '2026-12-28' };
  // Autumn term to Fri 18 Dec, spring term from Tue 5 Jan (Mon 4 Jan an INSET day).
  const sd = schoolDays(
    {
      terms: [
        { start: '2026-09-03' as IsoDate, end: '2026-12-18' as IsoDate },
        { start: '2027-01-04' as IsoDate, end: '2027-03-26' as IsoDate },
      ],
      closures: [{ start: '2027-01-04' as IsoDate, end: '2027-01-04' as IsoDate }],
    },
    holidays,
  );
  const ctx = { today: '2026-12-07' as IsoDate, holidays, schoolDays: sd };
  it('a due date before today is refused; today is not; a next meeting in the past is not refused', () => {
    expect(checkTacDate('due', '2026-12-04' as IsoDate, ctx)).toEqual({
      ok: false,
      refused: 'Fri 4 Dec 2026 is in the past: give today (Mon 7 Dec 2026) or a later date',
    });
    expect(checkTacDate('due', '2026-12-07' as IsoDate, ctx)).toEqual({ ok: true });
    expect(checkTacDate('next', '2026-12-04' as IsoDate, ctx)).toEqual({ ok: true });
  });
  it('weekend, bank holiday, school holiday and INSET day are warnings', () => {
    const warning = (d: string) => {
      const c = checkTacDate('due', d as IsoDate, ctx);
      return 'warning' in c ? c.warning : undefined;
    };
    expect(warning('2026-12-26')).toBe('Sat 26 Dec 2026 is a Saturday');
    expect(warning('2026-12-25')).toBe('Fri 25 Dec 2026 is a bank holiday');
    expect(warning('2026-12-22')).toMatch(/^Tue 22 Dec 2026 is not a school day/);
    expect(warning('2027-01-04')).toMatch(/^Mon 4 Jan 2027 is not a school day/);
    expect(warning('2027-01-05')).toBeUndefined();
    // No term dates: only weekends and bank holidays are known.
    const bare = checkTacDate('due', '2026-12-22' as IsoDate, { today: ctx.today, holidays });
    expect(bare).toEqual({ ok: true });
  });
});
