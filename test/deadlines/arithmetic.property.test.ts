/** Properties of the calendar arithmetic (fast-check): what must hold for every date and count. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isWeekend } from '../../core/calendar/iso-date.ts';
import { addMonths, easterSunday } from '../../core/calendar/months.ts';
import { addSchoolDays, schoolDays } from '../../core/calendar/school-days.ts';
import { addWorkingDays, isWorkingDay } from '../../core/calendar/working-days.ts';
import { dueFrom, leadDate, safeTarget } from '../../core/deadlines/arithmetic.ts';
import { escalationDates } from '../../core/deadlines/nudges.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const date = fc.integer({ min: 0, max: 9 * 365 }).map((n) => addDays('2018-01-01', n));
const count = fc.integer({ min: 0, max: 120 });
const terms = schoolDays(
  {
    terms: [
      { start: '2026-09-02', end: '2026-12-18' },
      { start: '2027-01-05', end: '2027-03-25' },
      { start: '2027-04-12', end: '2027-07-21' },
    ],
    closures: [{ start: '2027-02-15', end: '2027-02-19' }],
  },
  holidays,
);

describe('working days', () => {
  it('n working days later is a working day, n > 0 moves forward, and exactly n working days lie between', () => {
    fc.assert(
      fc.property(date, count, (d, n) => {
        const r = addWorkingDays(d, n, holidays);
        if (n === 0) return r === d;
        let k = 0;
        for (let x = addDays(d, 1); x <= r; x = addDays(x, 1)) if (isWorkingDay(x, holidays)) k++;
        return isWorkingDay(r, holidays) && r > d && k === n;
      }),
    );
  });
  it('adding then subtracting n working days returns to a working start day', () => {
    fc.assert(
      fc.property(date, count, (d, n) => {
        fc.pre(isWorkingDay(d, holidays));
        return addWorkingDays(addWorkingDays(d, n, holidays), -n, holidays) === d;
      }),
    );
  });
  it('is monotonic in n', () => {
    fc.assert(
      fc.property(date, count, (d, n) => addWorkingDays(d, n, holidays) < addWorkingDays(d, n + 1, holidays)),
    );
  });
  it('never lands on a weekend or a bank holiday; safe target is a working day strictly before', () => {
    fc.assert(
      fc.property(date, (d) => {
        const s = safeTarget(d, holidays);
        return s < d && !isWeekend(s) && !holidays.has(s);
      }),
    );
  });
});

describe('school days', () => {
  const inSpan = fc.integer({ min: 0, max: 300 }).map((n) => addDays('2026-09-02', n));
  it('n school days later is a school day (or a working day beyond the calendar) and is monotonic', () => {
    fc.assert(
      fc.property(inSpan, fc.integer({ min: 1, max: 60 }), (d, n) => {
        const r = addSchoolDays(d, n, terms);
        return terms.isSchoolDay(r) && r > d && addSchoolDays(d, n + 1, terms) > r;
      }),
    );
  });
  it('a school-day count is never shorter in calendar time than the same working-day count', () => {
    fc.assert(
      fc.property(
        inSpan,
        fc.integer({ min: 1, max: 60 }),
        (d, n) => addSchoolDays(d, n, terms) >= addWorkingDays(d, n, holidays),
      ),
    );
  });
});

describe('weeks, days, months', () => {
  it('N calendar weeks is 7N days and keeps the weekday', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -60, max: 60 }), (d, n) => {
        const r = dueFrom(d, { unit: 'CW', n }, { holidays, schoolDays: terms }).dueOn;
        return daysBetween(d, r) === 7 * n;
      }),
    );
  });
  it('"15 days beginning with the day served" ends 14 days after service', () => {
    fc.assert(
      fc.property(
        date,
        (d) =>
          dueFrom(d, { unit: 'CD', n: 15, inclusiveOfStart: true }, { holidays, schoolDays: terms }).dueOn ===
          addDays(d, 14),
      ),
    );
  });
  it('"within 12 months" ends the day before the anniversary (or at month end when clamped)', () => {
    fc.assert(
      fc.property(date, (d) => {
        const r = dueFrom(d, { unit: 'M', n: 12, within: true }, { holidays, schoolDays: terms }).dueOn;
        return r === addDays(addMonths(d, 12), -1) && daysBetween(d, r) >= 364 && daysBetween(d, r) <= 365;
      }),
    );
  });
  it('addMonths never overflows into the next month', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -36, max: 36 }), (d, n) => {
        const r = addMonths(d, n);
        const months =
          (Number(r.slice(0, 4)) - Number(d.slice(0, 4))) * 12 +
          Number(r.slice(5, 7)) -
          Number(d.slice(5, 7));
        return months === n;
      }),
    );
  });
  it('Easter is a Sunday between 22 March and 25 April, and Good Friday / Easter Monday are bank holidays 2018-2028', () => {
    for (let y = 2018; y <= 2028; y++) {
      const e = easterSunday(y);
      expect(new Date(`${e}T00:00:00Z`).getUTCDay()).toBe(0);
      expect(holidays.has(addDays(e, -2))).toBe(true);
      expect(holidays.has(addDays(e, 1))).toBe(true);
    }
  });
});

describe('nudge dates', () => {
  it('every lead date is a working day on or before the due date, earlier for longer leads', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 30 }), (d, n) => {
        const a = leadDate(d, `${n}wd`, holidays);
        const b = leadDate(d, `${n + 1}wd`, holidays);
        return a <= d && isWorkingDay(a, holidays) && b < a;
      }),
    );
  });
  it('escalations start the next working day after the due date and repeat weekly', () => {
    fc.assert(
      fc.property(date, (d) => {
        const xs = escalationDates(d, addDays(d, 60), holidays);
        return (
          xs[0] === addWorkingDays(d, 1, holidays) &&
          xs.every((x, i) => i === 0 || daysBetween(xs[i - 1]!, x) === 7)
        );
      }),
    );
  });
});
