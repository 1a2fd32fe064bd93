import { describe, expect, it } from 'vitest';
import { dayFirstToIso } from '../../core/calendar/day-first.ts';
import { checkTacField } from '../../core/tac-notes/tac-form.ts';
import { parseUkDate, parseWallClock } from '../../integrations/exports/uk-date.ts';

/** One day-first reading (core/calendar/day-first.ts) behind the TAC form's date check and the export readers. */
describe('day-first dates', () => {
  it.each([
    ['25/12/2026', '2026-12-25'],
    ['5.1.2027', '2027-01-05'],
    ['05-11-2026', '2026-11-05'],
    ['29/02/2028', '2028-02-29'],
  ])('%s reads as %s in both callers', (raw, iso) => {
    expect(dayFirstToIso(raw)).toBe(iso);
    expect(parseUkDate(raw)).toBe(iso);
    expect(checkTacField('nextMeetingOn', { nextMeetingOn: raw })).toEqual({
      ok: false,
      error: `a date as YYYY-MM-DD: type yes for ${iso}, or type the date again`,
      confirm: { set: { nextMeetingOn: iso } },
    });
  });

  it.each([
    '31/02/2026',
    '29/02/2027',
    '25/13/2026',
    '25/12/26',
    '2026/12/25',
    '',
  ])('%j is not a date', (raw) => {
    expect(dayFirstToIso(raw)).toBeUndefined();
    expect(parseUkDate(raw)).toBeNull();
  });

  it('the form takes no time after the date; the export readers do', () => {
    expect(dayFirstToIso('05/11/2026 14:30')).toBeUndefined();
    expect(checkTacField('actions.0.due', { 'actions.0.due': '05/11/2026 14:30' })).toEqual({
      ok: false,
      error: 'a date as YYYY-MM-DD, e.g. 2027-01-15',
    });
    expect(parseWallClock('05/11/2026 2:30 pm')).toEqual({ date: '2026-11-05', time: '14:30' });
    expect(parseWallClock('31/02/2026 14:30')).toBeNull();
  });
});
