/**
 * Issue 14 part A, the pure parts (core/deadlines): unversioned packs resolved, cases that say why they
 * lack deadlines, the 20-week risk, working-day flags, key events validated, suspension duties derived,
 * annual review advice deadlines. Each test fails on the code before issue 14 (the functions or the
 * behaviour did not exist: an unversioned pack computed nothing, a SUSPENSION case nothing, any event
 * kind and any date were accepted).
 */
import { describe, expect, it } from 'vitest';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { adviceDeadlineOf, adviceLine } from '../../core/deadlines/advice.ts';
import { ehcnaRisk } from '../../core/deadlines/at-risk.ts';
import { dayFlag } from '../../core/deadlines/day-flags.ts';
import { evaluateCase } from '../../core/deadlines/engine.ts';
import { checkEvent, eventKindsFor } from '../../core/deadlines/events.ts';
import { caseProblems } from '../../core/deadlines/health.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import type { CaseKind } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const ctx = { holidays, schoolDays: schoolDays(undefined, holidays) };
const book = new RuleBook();
const school = schoolDays(
  {
    terms: [
      { start: '2026-09-02', end: '2026-12-18' },
      { start: '2027-01-05', end: '2027-03-25' },
      { start: '2027-04-12', end: '2027-07-21' },
    ],
    closures: [{ start: '2027-01-29', end: '2027-01-29' }],
  },
  holidays,
);
const schoolCtx = { holidays, schoolDays: school };
const ev = (pairs: [string, string][]) =>
  pairs.map(([kind, occurredOn], i) => ({ id: `e${i}`, kind, occurredOn }));
const compute = (kind: CaseKind, rulePack: string, pairs: [string, string][], c = ctx) =>
  evaluateCase({ kind, rulePack, events: ev(pairs) }, book, c);

describe('point 1: unversioned rule packs and cases that say why they are empty', () => {
  it('resolves the demo pack "england-send-2014" to its current version, by case kind', () => {
    expect(book.resolvePackId('england-send-2014', 'EHC_NEEDS_ASSESSMENT', '2026-10-01')).toBe(
      'england-send-2014@cop-2015',
    );
    // The old demo stored a PEP under the SEND pack: it resolves to the pack in force for PEPs.
    expect(book.resolvePackId('england-send-2014', 'PEP', '2026-10-01')).toBe(
      'england-children-in-care@2018',
    );
    expect(book.resolvePackId('nonsense@1', 'PEP', '2026-10-01')).toBeUndefined();
    // Unresolved, the engine computes nothing for it: that is why the case must say so.
    expect(
      compute('EHC_NEEDS_ASSESSMENT', 'england-send-2014', [['request_received', '2026-11-23']]),
    ).toEqual([]);
  });

  it('names the reason: unknown pack, no key date to start from, no term dates', () => {
    const unknown = caseProblems(
      { kind: 'EHC_NEEDS_ASSESSMENT', rulePack: 'nonsense@1', events: [] },
      0,
      true,
      book,
    );
    expect(unknown[0]!.message).toMatch(/rule pack "nonsense@1" is unknown.*england-send-2014@cop-2015/);
    const waiting = caseProblems(
      { kind: 'PEP', rulePack: 'england-children-in-care@2018', events: [{ kind: 'care_ended' }] },
      0,
      true,
      book,
    );
    expect(waiting[0]!.message).toMatch(/no deadlines yet.*became_looked_after/);
    // A PEP without term dates: its termly review needs them (point 6).
    const pep = caseProblems(
      { kind: 'PEP', rulePack: 'england-children-in-care@2018', events: [{ kind: 'became_looked_after' }] },
      2,
      false,
      book,
    );
    expect(pep.map((p) => p.code)).toEqual(['needs_term_dates']);
    expect(pep[0]!.message).toMatch(/needs the school's term dates: C2/);
    expect(
      caseProblems(
        { kind: 'PEP', rulePack: 'england-children-in-care@2018', events: [{ kind: 'became_looked_after' }] },
        2,
        true,
        book,
      ),
    ).toEqual([]);
  });
});

describe('point 2: the 20-week risk of an EHC needs assessment', () => {
  const request = '2026-09-07';
  it('final plan due in two weeks, three steps overdue, no draft: at risk, with the reasons', () => {
    const r = ehcnaRisk({ events: ev([['request_received', request]]) }, '2027-01-11', holidays)!;
    expect(r.finalDueOn).toBe('2027-01-25');
    expect(r.atRisk).toBe(true);
    expect(r.reasons).toEqual([
      'no decision to assess at week 6 (reg 5)',
      'no assessment complete at week 12 (local milestone E8)',
      'no draft at week 16 (reg 10, reg 13)',
      expect.stringMatching(/^cannot fit: the remaining steps need \d+ working days, 10 left/),
    ]);
  });
  it('on track: decision and advice done at week 14, no draft yet: not at risk', () => {
    const r = ehcnaRisk(
      {
        events: ev([
          ['request_received', request],
          ['assessment_decision', '2026-10-12'],
          ['assessment_complete', '2026-11-30'],
        ]),
      },
      '2026-12-14',
      holidays,
    )!;
    expect(r.atRisk).toBe(false);
    expect(r.workingDaysLeft).toBeGreaterThan(r.workingDaysNeeded);
  });
  it('no draft by week 16 is a risk even when the rest could still fit', () => {
    const r = ehcnaRisk(
      {
        events: ev([
          ['request_received', request],
          ['assessment_decision', '2026-10-12'],
          ['issue_decision', '2026-12-21'],
        ]),
      },
      '2026-12-29',
      holidays,
    )!;
    expect(r.reasons).toEqual(['no draft at week 16 (reg 10, reg 13)']);
  });
  it('nothing to risk once the final plan is issued or the deadline paused', () => {
    expect(
      ehcnaRisk(
        {
          events: ev([
            ['request_received', request],
            ['final_plan_issued', '2027-01-10'],
          ]),
        },
        '2027-01-11',
        holidays,
      ),
    ).toBeNull();
    expect(
      ehcnaRisk(
        { events: ev([['request_received', request]]), finalStatus: 'PAUSED' },
        '2027-01-11',
        holidays,
      ),
    ).toBeNull();
  });
});

describe('point 4: due dates on days nobody works are flagged, with the safe target', () => {
  it('a decision due on Mon 28 Dec 2026 (bank holiday): safe target Thu 24 Dec 2026', () => {
    const e1 = compute('EHC_NEEDS_ASSESSMENT', 'england-send-2014@cop-2015', [
      ['request_received', '2026-11-16'],
    ]);
    const d = e1.find((x) => x.key === 'E1')!;
    expect(d.dueOn).toBe('2026-12-28');
    expect(dayFlag(d.dueOn, d.rule, ctx)).toEqual({ reason: 'a bank holiday', target: '2026-12-24' });
  });
  it('an annual review meeting due Sun 31 Jan 2027: held by the last school day (closure on Fri 29)', () => {
    const r1 = compute('ANNUAL_REVIEW', 'england-send-2014@cop-2015', [['plan_issued', '2026-02-01']]);
    const d = r1.find((x) => x.key.startsWith('R1'))!;
    expect(d.dueOn).toBe('2027-01-31');
    expect(dayFlag(d.dueOn, d.rule, ctx)).toEqual({ reason: 'a Sunday', target: '2027-01-29' });
    expect(dayFlag(d.dueOn, d.rule, schoolCtx)).toEqual({ reason: 'a Sunday', target: '2027-01-28' });
  });
  it('an Early Help review due Sun 17 Jan 2027; a working day is not flagged', () => {
    const eh = compute('EARLY_HELP', 'england-local-defaults@2026', [['early_help_started', '2026-12-06']]);
    const d = eh.find((x) => x.key.startsWith('EH1'))!;
    expect(d.dueOn).toBe('2027-01-17');
    expect(dayFlag(d.dueOn, d.rule, schoolCtx)).toEqual({ reason: 'a Sunday', target: '2027-01-15' });
    expect(dayFlag('2027-01-14', d.rule, schoolCtx)).toBeNull();
  });
});

describe('point 5: key events validated against the case kind', () => {
  const today = '2026-12-06';
  const check = (kind: string, occurredOn: string, planned = false) =>
    checkEvent(
      { caseKind: 'EHC_NEEDS_ASSESSMENT', packId: 'england-send-2014@cop-2015', kind, occurredOn, planned },
      today,
      book,
    );
  it('refuses an unknown kind naming the valid ones', () => {
    const r = check('draft_servd', '2026-12-01');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(
      /"draft_servd" is not a key event.*expected one of: request_received,.*draft_served/,
    );
  });
  it('refuses a future date for an event that has happened; --planned records it as planned', () => {
    const r = check('draft_served', '2027-01-10');
    expect(!r.ok && r.message).toMatch(/in the future.*--planned/);
    expect(check('draft_served', '2027-01-10', true)).toEqual({ ok: true, stored: 'planned:draft_served' });
    expect(check('draft_served', '2026-12-01')).toEqual({ ok: true, stored: 'draft_served' });
    // A planned event meets no deadline.
    const c = compute('EHC_NEEDS_ASSESSMENT', 'england-send-2014@cop-2015', [
      ['request_received', '2026-11-23'],
      ['planned:final_plan_issued', '2027-01-10'],
    ]);
    expect(c.find((d) => d.key === 'E7')!.metOn).toBeUndefined();
  });
  it('a date set in advance (a review meeting scheduled, a transfer date) may be in the future', () => {
    expect(
      checkEvent(
        {
          caseKind: 'ANNUAL_REVIEW',
          packId: 'england-send-2014@cop-2015',
          kind: 'review_meeting_scheduled',
          occurredOn: '2027-01-20',
        },
        today,
        book,
      ).ok,
    ).toBe(true);
  });
  it('every case kind lists its event kinds (the derived ones are not recordable)', () => {
    expect(eventKindsFor('SUSPENSION', 'england-exclusions@2023', book)).toEqual(
      expect.arrayContaining([
        'suspension_notified',
        'first_day_of_suspension',
        'return_date',
        'board_review_required',
      ]),
    );
    expect(eventKindsFor('SUSPENSION', 'england-exclusions@2023', book)).not.toContain(
      'suspension_beyond_5_days',
    );
  });
});

describe('point 6: a suspension computes its duties', () => {
  it('over 5 school days: education from the 6th day; over 15 in a term: the board within 15 school days', () => {
    const d = compute(
      'SUSPENSION',
      'england-exclusions@2023',
      [
        ['suspension_notified', '2026-11-02'],
        ['first_day_of_suspension', '2026-11-03'],
        ['return_date', '2026-11-12'],
        ['suspension_notified', '2026-11-23'],
        ['first_day_of_suspension', '2026-11-24'],
        ['return_date', '2026-12-04'],
      ],
      schoolCtx,
    );
    const keys = d.map((x) => `${x.key.split('#')[0]} ${x.dueOn}`);
    // 7 school days then 8: each over 5 (X5s on its 6th school day); 15 in all is not over 15 (no X6s);
    // the reintegration meeting on the return (X10, guidance).
    expect(keys).toEqual(['X5s 2026-11-10', 'X5s 2026-12-01', 'X10 2026-12-04']);
    const more = compute(
      'SUSPENSION',
      'england-exclusions@2023',
      [
        ['suspension_notified', '2026-11-02'],
        ['first_day_of_suspension', '2026-11-03'],
        ['return_date', '2026-11-12'],
        ['suspension_notified', '2026-11-23'],
        ['first_day_of_suspension', '2026-11-24'],
        ['return_date', '2026-12-07'],
      ],
      schoolCtx,
    );
    // 7 + 9 = 16 school days in the autumn term: the board considers reinstatement within 15 school days
    // of the second notice (reg 6(3)(b)).
    expect(more.find((x) => x.key === 'X6s')!.dueOn).toBe('2026-12-14');
    expect(more.find((x) => x.key === 'X6s')!.anchorOn).toBe('2026-11-23');
  });
  it('a short suspension (3 school days) has no 6th-day duty', () => {
    const d = compute('SUSPENSION', 'england-exclusions@2023', [
      ['suspension_notified', '2026-11-02'],
      ['first_day_of_suspension', '2026-11-03'],
      ['return_date', '2026-11-06'],
    ]);
    expect(d.map((x) => x.key)).toEqual(['X10']);
  });
});

describe('point 7: annual review advice shows its real deadline (reg 20(4)), marked late', () => {
  it('a meeting on 24 Dec: advice due 10 Dec; on 11 Dec it is late', () => {
    const r = { kind: 'report_due', dedupeKey: 'report-due:m1:s1:2026-12-10' };
    expect(adviceDeadlineOf(r, '2026-12-03')).toEqual({
      dueOn: '2026-12-10',
      meetingOn: '2026-12-24',
      late: false,
      daysLate: 0,
    });
    const late = adviceDeadlineOf(r, '2026-12-11')!;
    expect(adviceLine(late, { student: 'A.B. (Y7)' })).toBe(
      'Advice for the EHCP annual review for A.B. (Y7) on Thu 24 Dec 2026: due by Thu 10 Dec 2026 (circulated at least 2 weeks before the meeting, SEND Regulations 2014 reg 20(4)) · LATE by 1 day',
    );
    expect(
      adviceDeadlineOf({ kind: 'meeting_reminder', dedupeKey: 'x:2026-12-10' }, '2026-12-11'),
    ).toBeNull();
  });
});

describe('point 5: docs/deadlines.md, the engine and the CLI use the same event names', () => {
  it('the key events table lists exactly the events each case kind knows', async () => {
    const fs = await import('node:fs');
    const doc = fs.readFileSync(new URL('../../docs/deadlines.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Key events'), doc.indexOf('## Nothing silently empty'));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)];
    expect(rows.length).toBe(13);
    for (const [, kind, cell] of rows) {
      const listed = [...cell!.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]).sort();
      const pack = book.packFor(kind as CaseKind, '2026-10-01');
      expect({ kind, events: listed }).toEqual({
        kind,
        events: eventKindsFor(kind as CaseKind, pack.id, book).sort(),
      });
    }
  });
});
