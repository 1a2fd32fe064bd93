/**
 * The SEN2 timeliness count (core/deadlines/timeliness.ts) on a worked example computed by hand from The SEND
 * Regulations 2014 reg 13(2) (the final plan within 20 weeks of the request: request + 140 days is the last
 * day within) and reg 13(3) (an exception recorded against the 20-week deadline leaves the plan out of the
 * "excluding exceptions" counts); and the timeline bar's deadline states (core/deadlines/timeline.ts).
 */
import { describe, expect, it } from 'vitest';
import { noHolidays } from '../../core/calendar/working-days.ts';
import { timelineBar } from '../../core/deadlines/timeline.ts';
import {
  breachThisWeek,
  type FinalisedPlan,
  timeliness,
  within20Weeks,
} from '../../core/deadlines/timeliness.ts';

const plan = (id: string, requestOn: string, issuedOn: string, exception = false, officer = 'Karen Obi') => ({
  caseId: id,
  reference: id,
  officerId: officer,
  officerName: officer,
  requestOn,
  issuedOn,
  exception,
});

describe('20 weeks as SEN2 counts it', () => {
  it('request + 140 days is the last day within', () => {
    // 5 Jan 2026 + 26 days = 31 Jan; + 28 (Feb) = 54; + 31 (Mar) = 85; + 30 (Apr) = 115; + 25 = 140: 25 May.
    expect(within20Weeks({ requestOn: '2026-01-05', issuedOn: '2026-05-25' })).toBe(true);
    expect(within20Weeks({ requestOn: '2026-01-05', issuedOn: '2026-05-26' })).toBe(false);
  });

  it('with and without exceptions, by month, year and officer', () => {
    const plans: FinalisedPlan[] = [
      plan('A', '2026-01-05', '2026-05-25'), // the 140th day: within
      plan('B', '2026-01-05', '2026-05-26'), // day 141: late
      plan('C', '2025-12-01', '2026-05-20', true, 'Tom Reed'), // due 20 Apr: late, exception recorded
      plan('D', '2026-01-12', '2026-05-29', false, 'Tom Reed'), // due 1 Jun: within
      plan('E', '2026-02-02', '2026-06-10'), // due 22 Jun: within
    ];
    const t = timeliness(plans, { from: '2026-04', to: '2026-06' });
    expect(t.byMonth.map((m) => m.label)).toEqual(['Apr 2026', 'May 2026', 'Jun 2026']);
    const may = t.byMonth[1]!;
    // Including exceptions: A and D of A, B, C, D = 2 of 4 = 50%.
    expect([may.plans, may.within, may.pctIncluding]).toEqual([4, 2, 50]);
    // Excluding exceptions: C left out; A and D of A, B, D = 2 of 3 = 66.7%.
    expect([may.plansExcluding, may.withinExcluding, may.pctExcluding, may.exceptions]).toEqual([
      3, 2, 66.7, 1,
    ]);
    expect(t.byMonth[0]!.pctIncluding).toBeNull();
    expect([t.total.plans, t.total.within, t.total.pctIncluding, t.total.pctExcluding]).toEqual([
      5, 3, 60, 75,
    ]);
    expect(t.byYear.map((y) => [y.key, y.plans])).toEqual([['2026', 5]]);
    expect(t.byOfficer.map((o) => [o.label, o.plans, o.within, o.pctExcluding])).toEqual([
      ['Karen Obi', 3, 2, 66.7],
      ['Tom Reed', 2, 1, 100],
    ]);
  });

  it('will breach unless something happens this week', () => {
    const holidays = noHolidays;
    // Request 6 Jul 2026, final due 23 Nov (+140). Today 17 Nov: draft served 10 Nov, comments close 24 Nov
    // (10 Nov + 14) > 23 Nov: already at risk, not listed. Another served 2 Nov: comments close 16 Nov; the
    // plan can be issued by 23 Nov if done this week; a week from now (24 Nov) the date has passed: listed.
    const open = [
      {
        caseId: 'x1',
        reference: 'EHC-1',
        officerName: 'Karen Obi',
        finalDueOn: '2026-11-23',
        events: [
          { kind: 'request_received', occurredOn: '2026-07-06' },
          { kind: 'assessment_decision', occurredOn: '2026-08-10' },
          { kind: 'draft_served', occurredOn: '2026-11-02' },
        ],
      },
      {
        caseId: 'x2',
        reference: 'EHC-2',
        officerName: 'Karen Obi',
        finalDueOn: '2026-11-23',
        events: [
          { kind: 'request_received', occurredOn: '2026-07-06' },
          { kind: 'assessment_decision', occurredOn: '2026-08-10' },
          { kind: 'draft_served', occurredOn: '2026-11-10' },
        ],
      },
    ];
    const list = breachThisWeek(open, '2026-11-17', holidays);
    expect(list.map((b) => b.ref)).toEqual(['EHC-1']);
    expect(list[0]!.why).toContain('falls within the week');
  });
});

describe('timeline bar states', () => {
  const rules = { name: (id: string) => `rule ${id}`, isWindow: (id: string) => id === 'E5' };
  it('met, late, paused, open and the 20-week bar', () => {
    const bar = timelineBar(
      {
        id: 'c1',
        reference: 'EHC-9',
        kind: 'EHC_NEEDS_ASSESSMENT',
        startDate: '2026-09-07',
        deadlines: [
          { ruleId: 'E1', dueOn: '2026-10-19', status: 'MET', metOn: '2026-10-15' },
          { ruleId: 'E3#a', dueOn: '2026-11-20', status: 'OPEN', metOn: null },
          { ruleId: 'E4', dueOn: '2026-12-28', status: 'PAUSED', metOn: null },
          { ruleId: 'E7', dueOn: '2027-01-25', status: 'OPEN', metOn: null },
        ],
        events: [
          { kind: 'request_received', occurredOn: '2026-09-07' },
          { kind: 'assessment_decision', occurredOn: '2026-10-15' },
          { kind: 'advice_requested', occurredOn: '2026-10-09' },
        ],
      },
      '2026-11-24',
      noHolidays,
      rules,
    );
    expect(bar.start).toBe('2026-09-07');
    expect(bar.end).toBe('2027-01-25');
    expect(bar.week).toBe(11);
    expect(bar.markers.map((m) => [m.ruleId, m.state])).toEqual([
      ['E1', 'met'],
      ['E3', 'late'],
      ['E4', 'paused'],
      ['E7', 'open'],
    ]);
    expect(bar.markers[1]!.detail).toBe('4 days overdue');
    expect(bar.next?.ruleId).toBe('E3');
    expect(bar.state).toBe('late');
  });

  it('the 20-week deadline is at risk when the steps left cannot fit (core/deadlines/at-risk.ts)', () => {
    // Week 11, no advice asked for: 30 working days of advice, 5 of drafting, 15 days of comments and a
    // day to issue end after 25 Jan 2027.
    const bar = timelineBar(
      {
        id: 'c2',
        reference: 'EHC-10',
        kind: 'EHC_NEEDS_ASSESSMENT',
        startDate: '2026-09-07',
        deadlines: [{ ruleId: 'E7', dueOn: '2027-01-25', status: 'OPEN', metOn: null }],
        events: [
          { kind: 'request_received', occurredOn: '2026-09-07' },
          { kind: 'assessment_decision', occurredOn: '2026-10-15' },
        ],
      },
      '2026-11-24',
      noHolidays,
      rules,
    );
    expect(bar.markers[0]!.state).toBe('at_risk');
    expect(bar.state).toBe('at_risk');
    expect(bar.riskReasons[0]).toContain('cannot fit');
  });
});
