/**
 * Rule.endedBy (audit findings 4, 6): a key date that ends a rule's unmet deadlines.
 * - A transfer to post-16 has the 31 March date (SEND Regulations 2014 reg 18(1)(a)), not 15 February, which
 *   is "all other cases" (reg 18(1)(b)).
 * - Advice still outstanding when the final plan is issued is moot: closed, not overdue; advice received
 *   (met) before stays met.
 * - The family's representations window on a draft (reg 13(1): "at least 15 days") is never late for the
 *   plan that follows it; a plan issued before it ended is flagged.
 */
import { describe, expect, it } from 'vitest';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { diffDeadlines, evaluateCase } from '../../core/deadlines/engine.ts';
import { eventKindsFor } from '../../core/deadlines/events.ts';
import { RuleBook } from '../../core/deadlines/registry.ts';
import { deadlineState } from '../../core/deadlines/timeline.ts';
import type { CaseKind } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const ctx = { holidays, schoolDays: schoolDays(undefined, holidays) };
const book = new RuleBook();

function run(kind: CaseKind, events: [string, string][]) {
  const pack = book.packFor(kind, events[0]![1]);
  return evaluateCase(
    { kind, rulePack: pack.id, events: events.map(([k, d], i) => ({ id: `e${i}`, kind: k, occurredOn: d })) },
    book,
    ctx,
  ).map((d) => [d.key.split('#')[0], d.dueOn, d.metOn ?? null] as const);
}

describe('Rule.endedBy', () => {
  it('a post-16 transfer has 31 March only (reg 18(1)(a)); another transfer 15 February (reg 18(1)(b))', () => {
    const post16 = run('PHASE_TRANSFER', [
      ['transfer_date', '2027-09-01'],
      ['post16_transfer_date', '2027-09-01'],
    ]);
    expect(post16.map(([id, due]) => `${id} ${due}`)).toEqual(['P0 2026-10-01', 'P2 2027-03-31']);
    const year6 = run('PHASE_TRANSFER', [['transfer_date', '2027-09-01']]);
    expect(year6.map(([id, due]) => `${id} ${due}`)).toEqual(['P0 2026-10-01', 'P1 2027-02-15']);
    // A stored 15 February deadline of a case later recorded as post-16 is cancelled.
    const { updates } = diffDeadlines(
      evaluateCase(
        {
          kind: 'PHASE_TRANSFER',
          rulePack: 'england-send-2014@cop-2015',
          events: [
            { id: 'a', kind: 'transfer_date', occurredOn: '2027-09-01' },
            { id: 'b', kind: 'post16_transfer_date', occurredOn: '2027-09-01' },
          ],
        },
        book,
        ctx,
      ),
      [{ id: 'p1', ruleId: 'P1', dueOn: '2027-02-15', status: 'OPEN', metOn: null }],
    );
    expect(updates).toEqual([{ id: 'p1', data: { status: 'CANCELLED' } }]);
  });

  it('advice outstanding when the final plan is issued is closed; advice received before stays met', () => {
    const events: [string, string][] = [
      ['request_received', '2026-07-13'],
      ['advice_requested', '2026-07-20'],
      ['advice_requested', '2026-07-21'],
      ['draft_served', '2026-11-09'],
      ['school_consulted', '2026-11-09'],
    ];
    const open = run('EHC_NEEDS_ASSESSMENT', events);
    expect(open.filter(([id]) => id === 'E3')).toHaveLength(2);
    expect(open.filter(([id]) => id === 'E6')).toHaveLength(1);
    const issued = run('EHC_NEEDS_ASSESSMENT', [...events, ['final_plan_issued', '2026-11-30']]);
    expect(issued.filter(([id]) => id === 'E3' || id === 'E6')).toEqual([]);
    expect(issued.find(([id]) => id === 'E7')).toEqual(['E7', '2026-11-30', '2026-11-30']);
    // The key events of an EHC needs assessment still include the ones that end a rule.
    expect(eventKindsFor('EHC_NEEDS_ASSESSMENT', 'england-send-2014@cop-2015', book)).toContain(
      'decision_not_to_issue',
    );
  });

  it('the representations window is never late for the plan that follows it; a plan within it is flagged', () => {
    const closed = { ruleId: 'E5', dueOn: '2026-11-23', status: 'MET', metOn: '2026-11-30' };
    expect(deadlineState(closed, '2026-12-07', { window: true })).toEqual({
      state: 'met',
      detail: 'window closed on 2026-11-23',
    });
    expect(deadlineState({ ...closed, metOn: '2026-11-20' }, '2026-12-07', { window: true }).state).toBe(
      'late',
    );
    // Not a window: met a week after its date is late.
    expect(deadlineState(closed, '2026-12-07').state).toBe('late');
  });
});
