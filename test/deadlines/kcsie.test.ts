/**
 * KCSIE 2025 rules (K5, K7 in docs/deadlines.md) as worked examples, with the school-day and working-day
 * counting of docs/deadlines.md; and how a staff-allegation deadline is named in channel text.
 */
import { describe, expect, it } from 'vitest';
import { addDays } from '../../core/calendar/iso-date.ts';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { caseSubjectLabel, STAFF_ALLEGATION_LABEL } from '../../core/deadlines/case-label.ts';
import { evaluateCase } from '../../core/deadlines/engine.ts';
import { planDeadlineNudges } from '../../core/deadlines/nudges.ts';
import { kcsie2025 } from '../../core/deadlines/packs/kcsie-2025.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import { type CaseKind, caseKinds } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const book = new RuleBook();
/** A school with an INSET day Mon 19 Oct 2026, half-term 26-30 Oct, Christmas to 1 Jan, INSET Mon 4 Jan 2027. */
const school = schoolDays(
  {
    terms: [
      { start: '2026-04-13', end: '2026-07-22' },
      { start: '2026-09-02', end: '2026-10-23' },
      { start: '2026-11-02', end: '2026-12-18' },
      { start: '2027-01-04', end: '2027-02-12' },
    ],
    closures: [
      { start: '2026-10-19', end: '2026-10-19' },
      { start: '2027-01-04', end: '2027-01-04' },
    ],
  },
  holidays,
);
const ctx = { holidays, schoolDays: school };

function evaluate(kind: CaseKind, events: [string, string][]) {
  const pack = book.packFor(kind, events[0]![1]);
  return evaluateCase(
    { kind, rulePack: pack.id, events: events.map(([k, d], i) => ({ id: `e${i}`, kind: k, occurredOn: d })) },
    book,
    ctx,
  );
}
const due = (kind: CaseKind, events: [string, string][], id: string) => {
  const d = evaluate(kind, events).find((x) => x.key === id);
  if (!d) throw new Error(`no ${id}`);
  return d;
};

describe('KCSIE 2025 pack', () => {
  it('is in force from Sept 2025 for the two new case kinds, which the CLI and service accept', () => {
    expect(caseKinds).toContain('CP_FILE_TRANSFER');
    expect(caseKinds).toContain('STAFF_ALLEGATION');
    expect(book.packFor('CP_FILE_TRANSFER', '2025-09-01').id).toBe('england-kcsie@2025');
    expect(book.packFor('STAFF_ALLEGATION', '2026-05-22').id).toBe('england-kcsie@2025');
    expect(() => book.packFor('STAFF_ALLEGATION', '2025-08-31')).toThrow(/no rule pack/);
    expect(book.startEvent('CP_FILE_TRANSFER', kcsie2025.id)).toBe('pupil_transferred');
    expect(book.startEvent('STAFF_ALLEGATION', kcsie2025.id)).toBe('allegation_reported');
  });
  it('cites KCSIE beside each rule; K7 says it is unverified against Part 4', () => {
    const k5 = book.rule('CP_FILE_TRANSFER', kcsie2025.id, 'K5')!;
    const k7 = book.rule('STAFF_ALLEGATION', kcsie2025.id, 'K7')!;
    expect(k5.source).toMatch(/Keeping Children Safe in Education 2025/);
    expect(k5.source).toMatch(/bristolsafeguardingineducation\.org/);
    expect(k5.source).toMatch(/hampshirescp\.org\.uk/);
    expect(k7.source).toMatch(/verify against KCSIE Part 4/);
    expect(k7.status).toBe('guidance');
    expect(k7.escalate).toBe(true);
    // Each kind gets its own rule only (no EHCNA or CP rules leak in through the local supplements).
    expect(book.rulesFor('CP_FILE_TRANSFER', kcsie2025.id).map((r) => r.id)).toEqual(['K5']);
    expect(book.rulesFor('STAFF_ALLEGATION', kcsie2025.id).map((r) => r.id)).toEqual(['K7']);
  });
});

describe('K5 CP file transfer (KCSIE; Bristol, Hampshire SCP): 5 school days', () => {
  it('in-year transfer Thu 15 Oct 2026 → Fri 23 Oct 2026, skipping the weekend and the INSET day Mon 19 Oct', () => {
    const d = due('CP_FILE_TRANSFER', [['pupil_transferred', '2026-10-15']], 'K5');
    expect(d.dueOn).toBe('2026-10-23');
    expect(d.lowConfidence).toBe(false);
  });
  it('in-year transfer Thu 30 Apr 2026 → Fri 8 May 2026, skipping the weekend and the May Day bank holiday', () => {
    expect(due('CP_FILE_TRANSFER', [['pupil_transferred', '2026-04-30']], 'K5').dueOn).toBe('2026-05-08');
  });
  it('transfer at the end of term (Fri 18 Dec 2026) → Mon 11 Jan 2027, the 5th school day of the new term', () => {
    // The new term's first pupil days, counted independently: 4 Jan is INSET.
    const firstFive: string[] = [];
    for (let d = '2027-01-04'; firstFive.length < 5; d = addDays(d, 1))
      if (school.isSchoolDay(d)) firstFive.push(d);
    expect(firstFive).toEqual(['2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08', '2027-01-11']);
    expect(due('CP_FILE_TRANSFER', [['pupil_transferred', '2026-12-18']], 'K5').dueOn).toBe(firstFive[4]);
    // A leaving date recorded in the holiday gives the same day.
    expect(due('CP_FILE_TRANSFER', [['pupil_transferred', '2026-12-23']], 'K5').dueOn).toBe('2027-01-11');
  });
  it('is met by the confirmation of receipt, not by sending alone', () => {
    const sent = due(
      'CP_FILE_TRANSFER',
      [
        ['pupil_transferred', '2026-10-15'],
        ['cp_file_sent', '2026-10-16'],
      ],
      'K5',
    );
    expect(sent.metOn).toBeUndefined();
    const confirmed = due(
      'CP_FILE_TRANSFER',
      [
        ['pupil_transferred', '2026-10-15'],
        ['cp_file_receipt_confirmed', '2026-10-20'],
      ],
      'K5',
    );
    expect(confirmed.metOn).toBe('2026-10-20');
  });
});

describe('K7 allegation against staff: LADO within one working day (verify against KCSIE Part 4)', () => {
  it('reported Fri 22 May 2026, before the spring bank holiday Mon 25 May → due Tue 26 May 2026', () => {
    const d = due('STAFF_ALLEGATION', [['allegation_reported', '2026-05-22']], 'K7');
    expect(d.dueOn).toBe('2026-05-26');
    expect(d.safeTargetOn).toBe('2026-05-22');
  });
  it('reported on a Wednesday → due Thursday; met by the LADO referral', () => {
    const d = due(
      'STAFF_ALLEGATION',
      [
        ['allegation_reported', '2026-06-03'],
        ['lado_referred', '2026-06-03'],
      ],
      'K7',
    );
    expect(d.dueOn).toBe('2026-06-04');
    expect(d.metOn).toBe('2026-06-03');
  });
});

describe('naming a case in channel text', () => {
  const child = { givenName: 'Amelia', familyName: 'Brown-Hughes', yearGroup: '7' };
  it('a child by initials and year; a staff allegation by nobody', () => {
    expect(caseSubjectLabel('CP_FILE_TRANSFER', child)).toBe('A.B. (Y7)');
    expect(caseSubjectLabel('STAFF_ALLEGATION', child)).toBe(STAFF_ALLEGATION_LABEL);
  });
  it('a K7 nudge built with that label shows "a staff allegation" and the case reference, no initials', () => {
    const [d] = evaluate('STAFF_ALLEGATION', [['allegation_reported', '2026-05-22']]);
    const specs = planDeadlineNudges(
      [
        {
          deadlineId: 'x',
          orgId: 'o',
          caseRef: 'SA-2026-001',
          rule: d!.rule,
          dueOn: d!.dueOn,
          safeTargetOn: d!.safeTargetOn,
          lowConfidence: false,
          snoozedUntil: null,
          ownerId: 's1',
          ownerName: 'Owen',
          escalateToId: 'm1',
          studentLabel: caseSubjectLabel('STAFF_ALLEGATION', child),
          status: 'OPEN',
        },
      ],
      '2026-05-22',
      {
        leadTimes: ['10wd', '3wd', '0d'],
        holidays,
        zone: 'Europe/London',
        sendAt: '08:00',
        horizonDays: 21,
        lookbackDays: 7,
      },
    );
    expect(specs.length).toBeGreaterThan(0);
    for (const s of specs) {
      const text = JSON.stringify(s.message);
      expect(text).toContain('a staff allegation');
      expect(text).toContain('SA-2026-001');
      expect(text).not.toMatch(/A\.B\.|Amelia|Brown|Y7/);
    }
  });
});
