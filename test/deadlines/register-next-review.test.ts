/**
 * The register's next review of one pupil (app/deadlines/caseload-register.ts, pure parts): the earliest
 * open or paused review deadline or the next review meeting, named in words whatever the stored key (an
 * annual review hangs on its plan's event: `R1#<event id>`; LAC reviews C3a-C3c); and the line the SENDCo
 * reads for an overdue, paused or coming review.
 */
import { describe, expect, it } from 'vitest';
import { nextReviewOf, type RegisterEntry, registerLine } from '../../app/deadlines/caseload-register.ts';

const pupil = (over: Partial<RegisterEntry>): RegisterEntry => ({
  studentId: 's1',
  givenName: 'Amelia',
  familyName: 'Brook',
  yearGroup: '7',
  senStatus: 'E',
  ehcp: true,
  childInCare: false,
  keyWorker: { displayName: 'Priya Shah', email: 'sendco@elmfield.example' },
  openCaseIds: [],
  nextMeeting: null,
  nextReview: null,
  overdue: false,
  ...over,
});

describe('the register next review', () => {
  it('names a review deadline in words, never its stored key', () => {
    expect(nextReviewOf([{ ruleId: 'R1#cmevent123', dueOn: '2027-01-04', status: 'OPEN' }], null)).toEqual({
      on: '2027-01-04',
      what: 'annual review',
      status: 'OPEN',
    });
    for (const id of ['C3a', 'C3b', 'C3c'])
      expect(nextReviewOf([{ ruleId: id, dueOn: '2026-12-01', status: 'OPEN' }], null)?.what).toBe(
        'LAC review',
      );
    expect(nextReviewOf([{ ruleId: 'W6b#e1', dueOn: '2026-12-01', status: 'OPEN' }], null)?.what).toBe(
      'CP review',
    );
  });

  it('takes the earliest open or paused review deadline; met, cancelled and other rules are not reviews', () => {
    const r = nextReviewOf(
      [
        { ruleId: 'R1#e1', dueOn: '2026-11-01', status: 'MET' },
        { ruleId: 'R4#e2', dueOn: '2026-11-02', status: 'OPEN' },
        { ruleId: 'C2', dueOn: '2026-11-03', status: 'CANCELLED' },
        { ruleId: 'C3b', dueOn: '2026-12-10', status: 'PAUSED' },
        { ruleId: 'R1#e3', dueOn: '2027-01-04', status: 'OPEN' },
      ],
      null,
    );
    expect(r).toEqual({ on: '2026-12-10', what: 'LAC review', status: 'PAUSED' });
  });

  it('prefers the review meeting when it comes first (or the same day), the deadline otherwise', () => {
    const ar = [{ ruleId: 'R1#e1', dueOn: '2027-01-04', status: 'OPEN' }];
    expect(nextReviewOf(ar, { kind: 'EHCP_ANNUAL_REVIEW', on: '2026-12-23' })?.what).toBe(
      'annual review meeting',
    );
    expect(nextReviewOf(ar, { kind: 'EHCP_ANNUAL_REVIEW', on: '2027-01-04' })?.what).toBe('annual review');
    expect(nextReviewOf([], { kind: 'CIN', on: '2026-12-10' })).toEqual({
      on: '2026-12-10',
      what: 'CIN meeting',
      status: 'OPEN',
    });
    expect(nextReviewOf([], null)).toBeNull();
  });

  it('reads overdue, paused, next, or none, with the key worker email only in the CLI', () => {
    const next = { on: '2026-11-05', what: 'LAC review', status: 'OPEN' as const };
    expect(registerLine(pupil({ childInCare: true, nextReview: next, overdue: true }), true)).toBe(
      'A.B. (Y7) · EHCP · in care · key worker Priya Shah <sendco@elmfield.example> · review OVERDUE since Thu 5 Nov 2026 (LAC review)',
    );
    expect(registerLine(pupil({ nextReview: { ...next, status: 'PAUSED' } }), false)).toBe(
      'A.B. (Y7) · EHCP · key worker Priya Shah · review paused, due Thu 5 Nov 2026 (LAC review)',
    );
    expect(registerLine(pupil({ nextReview: next }), false)).toBe(
      'A.B. (Y7) · EHCP · key worker Priya Shah · next review Thu 5 Nov 2026 (LAC review)',
    );
    expect(registerLine(pupil({ senStatus: 'K', ehcp: false, keyWorker: null }), false)).toBe(
      'A.B. (Y7) · SEN support · no review date recorded',
    );
    // An EHC plan with no review recorded is a gap (Children and Families Act 2014 s.44(1)), not a neutral line.
    expect(registerLine(pupil({ keyWorker: null }), false)).toBe(
      'A.B. (Y7) · EHCP · no annual review recorded ⚠ (an EHC plan is reviewed at least every 12 months: CFA 2014 s.44)',
    );
  });
});
