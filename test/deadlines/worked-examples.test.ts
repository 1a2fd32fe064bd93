/**
 * Every worked example of the rule packs (docs/deadlines.md), reproduced by the engine, with its source.
 * Also: spans over Christmas, Easter and bank holidays, and school-day counts across half-terms.
 */
import { describe, expect, it } from 'vitest';
import { addSchoolDays, schoolDays } from '../../core/calendar/school-days.ts';
import { addWorkingDays } from '../../core/calendar/working-days.ts';
import { dueFrom, leadDate, safeTarget } from '../../core/deadlines/arithmetic.ts';
import { evaluateCase } from '../../core/deadlines/engine.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import type { CaseKind, Offset } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const noTerms = schoolDays(undefined, holidays);
const ctx = { holidays, schoolDays: noTerms };
const book = new RuleBook();

/** The §1F school: closed 21 Dec 2026 - 1 Jan 2027, INSET 4 Jan 2027; half-term 15-19 Feb 2027. */
const school = schoolDays(
  {
    terms: [
      { start: '2026-09-02', end: '2026-10-23' },
      { start: '2026-11-02', end: '2026-12-18' },
      { start: '2027-01-04', end: '2027-02-12' },
      { start: '2027-02-22', end: '2027-03-25' },
      { start: '2027-04-12', end: '2027-07-21' },
    ],
    closures: [{ start: '2027-01-04', end: '2027-01-04' }],
  },
  holidays,
);
const schoolCtx = { holidays, schoolDays: school };

function due(kind: CaseKind, events: [string, string][], ruleKey: string, c = ctx) {
  const pack = book.packFor(kind, events[0]![1]);
  const out = evaluateCase(
    { kind, rulePack: pack.id, events: events.map(([k, d], i) => ({ id: `e${i}`, kind: k, occurredOn: d })) },
    book,
    c,
  );
  const d = out.find((x) => x.key === ruleKey || x.key.startsWith(`${ruleKey}#`));
  if (!d) throw new Error(`no deadline ${ruleKey}`);
  return d;
}

describe('SEND Regs 2014 regs 4-13: EHC needs assessment (request received Mon 23 Nov 2026)', () => {
  const req: [string, string][] = [['request_received', '2026-11-23']];
  it.each([
    ['E1', 'decision whether to assess, 6 weeks (reg 5(1)); runs through Christmas', '2027-01-04'],
    ['E4', 'decision not to issue, 16 weeks (reg 10(1))', '2027-03-15'],
    ['E7', 'final plan, 20 weeks (reg 13(2)); runs through Easter', '2027-04-12'],
    ['E8', 'internal week 12 (local practice)', '2027-02-15'],
  ])('%s %s → %s', (rule, _what, expected) => {
    expect(due('EHC_NEEDS_ASSESSMENT', req, rule).dueOn).toBe(expected);
  });
  it('E3 advice requested Mon 4 Jan 2027 is due Mon 15 Feb 2027 (reg 8(1))', () => {
    expect(due('EHC_NEEDS_ASSESSMENT', [...req, ['advice_requested', '2027-01-04']], 'E3').dueOn).toBe(
      '2027-02-15',
    );
  });
  it('E5 draft served Mon 1 Mar 2027: representations until end of Mon 15 Mar 2027 (reg 13(1), 15 days incl. service day)', () => {
    expect(due('EHC_NEEDS_ASSESSMENT', [...req, ['draft_served', '2027-03-01']], 'E5').dueOn).toBe(
      '2027-03-15',
    );
  });
  it('§1I item 1: safe target one working day before the 20-week date (Fri 9 Apr 2027)', () => {
    expect(due('EHC_NEEDS_ASSESSMENT', req, 'E7').safeTargetOn).toBe('2027-04-09');
  });
  it('E7 is met by the final plan, late when after the due date', () => {
    const d = due('EHC_NEEDS_ASSESSMENT', [...req, ['final_plan_issued', '2027-04-20']], 'E7');
    expect(d.metOn).toBe('2027-04-20');
  });
});

describe('SEND Regs 2014 regs 44-45: tribunal orders (clocks like any other)', () => {
  it.each([
    ['T1', 2, '2027-01-15'],
    ['T2', 10, '2027-03-12'],
    ['T3', 14, '2027-04-09'],
  ])('order to assess Fri 1 Jan 2027: %s at %i weeks → %s', (rule, _w, expected) => {
    expect(due('TRIBUNAL_ORDER', [['order_to_assess', '2027-01-01']], rule).dueOn).toBe(expected);
  });
  it.each([
    ['T4', '2027-02-05'],
    ['T5', '2027-03-19'],
  ])('order to make a plan Fri 1 Jan 2027: %s → %s', (rule, expected) => {
    expect(due('TRIBUNAL_ORDER', [['order_to_make_plan', '2027-01-01']], rule).dueOn).toBe(expected);
  });
});

describe('SEND Regs 2014 regs 18-22: annual review (meeting Wed 20 Jan 2027)', () => {
  it('R1 plan issued 12 Apr 2027 → review due by 11 Apr 2028 (within 12 months)', () => {
    expect(due('ANNUAL_REVIEW', [['plan_issued', '2027-04-12']], 'R1').dueOn).toBe('2028-04-11');
  });
  const ev: [string, string][] = [
    ['plan_issued', '2026-02-01'],
    ['review_meeting_scheduled', '2027-01-20'],
  ];
  it('R4 invitations by Wed 6 Jan 2027; the 10-working-day nudge lands on Fri 18 Dec 2026, before the break', () => {
    const d = due('ANNUAL_REVIEW', ev, 'R4');
    expect(d.dueOn).toBe('2027-01-06');
    expect(leadDate(d.dueOn, '10wd', holidays)).toBe('2026-12-18');
  });
  it('R5 advice circulated by Wed 6 Jan 2027', () => {
    expect(due('ANNUAL_REVIEW', ev, 'R5').dueOn).toBe('2027-01-06');
  });
  const held: [string, string][] = [
    ['plan_issued', '2026-02-01'],
    ['review_meeting_held', '2027-01-20'],
    ['amendment_notice_served', '2027-02-17'],
  ];
  it.each([
    ['R6', 'review report 2 weeks after', '2027-02-03'],
    ['R7', 'LA decision 4 weeks after', '2027-02-17'],
    ['R8', 'representations on the amendment notice, 15 days', '2027-03-03'],
    ['R9', 'final amended plan (= 12 weeks after the meeting)', '2027-04-14'],
  ])('%s %s → %s', (rule, _what, expected) => {
    expect(due('ANNUAL_REVIEW', held, rule).dueOn).toBe(expected);
  });
  it('R1 is met by the review meeting, and the next cycle starts from it', () => {
    const pack = book.packFor('ANNUAL_REVIEW', '2026-02-01');
    const out = evaluateCase(
      {
        kind: 'ANNUAL_REVIEW',
        rulePack: pack.id,
        events: held.map(([k, d], i) => ({ id: `e${i}`, kind: k, occurredOn: d })),
      },
      book,
      ctx,
    ).filter((d) => d.rule.id === 'R1');
    expect(out.map((d) => [d.dueOn, d.metOn ?? null])).toEqual([
      ['2027-01-31', '2027-01-20'],
      ['2028-01-19', null],
    ]);
  });
});

describe('SEND Regs 2014 reg 18: phase transfer', () => {
  it('P1 transfer in Sept 2027: plan amended by Mon 15 Feb 2027 (reg 18(1)(b)); review scheduling nudge 1 Oct 2026', () => {
    expect(due('PHASE_TRANSFER', [['transfer_date', '2027-09-01']], 'P1').dueOn).toBe('2027-02-15');
    expect(due('PHASE_TRANSFER', [['transfer_date', '2027-09-01']], 'P0').dueOn).toBe('2026-10-01');
  });
  it('P2 post-16 transfer: by Wed 31 Mar 2027 (reg 18(1)(a))', () => {
    expect(
      due(
        'PHASE_TRANSFER',
        [
          ['transfer_date', '2027-09-01'],
          ['post16_transfer_date', '2027-09-01'],
        ],
        'P2',
      ).dueOn,
    ).toBe('2027-03-31');
  });
});

describe('School Discipline Regs 2012: exclusions (notified Wed 25 Nov 2026; school closed 21 Dec-1 Jan, INSET 4 Jan)', () => {
  it('X6 the board must meet by Wed 16 Dec 2026 (15 school days)', () => {
    expect(due('PERMANENT_EXCLUSION', [['exclusion_notified', '2026-11-25']], 'X6', schoolCtx).dueOn).toBe(
      '2026-12-16',
    );
  });
  it('X5 exclusion day 1 Thu 26 Nov: LA provision from day 6, Thu 3 Dec 2026', () => {
    expect(
      due(
        'PERMANENT_EXCLUSION',
        [
          ['exclusion_notified', '2026-11-25'],
          ['first_day_of_exclusion', '2026-11-26'],
        ],
        'X5',
        schoolCtx,
      ).dueOn,
    ).toBe('2026-12-03');
  });
  it('across Christmas and the INSET day: notified Mon 14 Dec 2026 → Tue 19 Jan 2027 (derived)', () => {
    expect(due('PERMANENT_EXCLUSION', [['exclusion_notified', '2026-12-14']], 'X6', schoolCtx).dueOn).toBe(
      '2027-01-19',
    );
  });
  it('across February half-term: notified Wed 10 Feb 2027 → Wed 10 Mar 2027 (derived)', () => {
    // 11,12 Feb (2); half-term 15-19 Feb; 22 Feb-5 Mar (12); 8, 9, 10 Mar (15).
    expect(addSchoolDays('2027-02-10', 15, school)).toBe('2027-03-10');
  });
  it('without term dates the count falls back to working days and is flagged', () => {
    const d = due('PERMANENT_EXCLUSION', [['exclusion_notified', '2027-02-10']], 'X6');
    expect(d.dueOn).toBe('2027-03-03');
    expect(d.lowConfidence).toBe(true);
  });
});

describe('Working Together 2023: child protection (strategy discussion Mon 14 Dec 2026)', () => {
  it('W4 ICPC by Thu 7 Jan 2027: 25 Dec, 28 Dec and 1 Jan are bank holidays', () => {
    expect(due('CHILD_PROTECTION', [['strategy_discussion', '2026-12-14']], 'W4').dueOn).toBe('2027-01-07');
  });
  it('W5 core group by Thu 21 Jan 2027', () => {
    expect(
      due(
        'CHILD_PROTECTION',
        [
          ['strategy_discussion', '2026-12-14'],
          ['icpc_held', '2027-01-07'],
        ],
        'W5',
      ).dueOn,
    ).toBe('2027-01-21');
  });
  it('W6 first review within 3 months of the ICPC, then within 6 months', () => {
    const ev: [string, string][] = [
      ['strategy_discussion', '2026-12-14'],
      ['icpc_held', '2027-01-07'],
    ];
    expect(due('CHILD_PROTECTION', ev, 'W6a').dueOn).toBe('2027-04-06');
    expect(due('CHILD_PROTECTION', [...ev, ['cp_review_held', '2027-04-01']], 'W6b').dueOn).toBe(
      '2027-09-30',
    );
  });
  it('across Easter 2027 (Good Friday 26 Mar, Easter Monday 29 Mar): strategy discussion Mon 22 Mar → ICPC Wed 14 Apr (derived)', () => {
    expect(due('CHILD_PROTECTION', [['strategy_discussion', '2027-03-22']], 'W4').dueOn).toBe('2027-04-14');
  });
});

describe('Children in care (DfE 2018; SI 2010/959 reg 33) in care', () => {
  it('C1 PEP within 10 working days of becoming looked after on Mon 21 Dec 2026 → Thu 7 Jan 2027 (derived; 25, 28 Dec and 1 Jan skipped)', () => {
    expect(due('PEP', [['became_looked_after', '2026-12-21']], 'C1').dueOn).toBe('2027-01-07');
  });
  it('C3 first LAC review within 20 working days', () => {
    expect(due('PEP', [['became_looked_after', '2026-12-21']], 'C3a').dueOn).toBe('2027-01-21');
  });
  it('C2 PEP initiated in the autumn term: next review by the last school day of the spring term', () => {
    expect(
      due(
        'PEP',
        [
          ['became_looked_after', '2026-11-02'],
          ['pep_initiated', '2026-11-10'],
        ],
        'C2',
        schoolCtx,
      ).dueOn,
    ).toBe('2027-03-25');
  });
});

describe('gov.uk bank holidays: England and Wales bank holidays', () => {
  it.each([
    '2026-01-01',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28',
    '2027-01-01',
    '2027-03-26',
    '2027-03-29',
    '2027-05-03',
    '2027-05-31',
    '2027-08-30',
    '2027-12-27',
    '2027-12-28',
    '2028-01-03',
  ])('%s is a bank holiday', (d) => {
    expect(holidays.has(d)).toBe(true);
  });
  it('26 Dec 2026 (a Saturday) is not listed: the substitute is 28 Dec', () => {
    expect(holidays.has('2026-12-26')).toBe(false);
    expect(addWorkingDays('2026-12-24', 1, holidays)).toBe('2026-12-29');
  });
});

describe('units', () => {
  it.each<[string, Offset, string]>([
    ['2027-01-31', { unit: 'M', n: 1 }, '2027-02-28'],
    ['2026-11-23', { unit: 'CW', n: 20 }, '2027-04-12'],
    ['2027-03-01', { unit: 'CD', n: 15, inclusiveOfStart: true }, '2027-03-15'],
    ['2027-01-20', { unit: 'CW', n: -2 }, '2027-01-06'],
    ['2027-09-01', { unit: 'DATE', month: 2, day: 15 }, '2027-02-15'],
  ])('%s + %j → %s', (a, o, expected) => {
    expect(dueFrom(a, o, ctx).dueOn).toBe(expected);
  });
  it('safe target skips back over a bank holiday weekend', () => {
    expect(safeTarget('2027-03-30', holidays)).toBe('2027-03-25');
  });
});
