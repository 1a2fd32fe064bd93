/**
 * A case's next moment (core/deadlines/next-moment.ts, issue 18): the steady tick skips a case until then,
 * so on every day before it a tick must have nothing to write for the case: no nudge or escalation the
 * planner wants that it did not want on the day planned, and none it wanted then, not yet sent (its day
 * not passed), that it no longer wants. Checked for any due date, snooze, status, lead list and whether the
 * owner has a manager to escalate to.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../core/calendar/iso-date.ts';
import { nextNudgeMoment } from '../../core/deadlines/next-moment.ts';
import { type NudgeItem, type NudgeOptions, planNudgeSlots } from '../../core/deadlines/nudges.ts';
import type { Rule } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const options: NudgeOptions = {
  leadTimes: ['10wd', '3wd', '0d'],
  holidays,
  zone: 'Europe/London',
  sendAt: '08:00',
  horizonDays: 3,
  lookbackDays: 7,
};
const rule = (over: Partial<Rule>): Rule => ({
  id: 'E1',
  name: 'Decision whether to assess',
  caseKinds: ['EHC_NEEDS_ASSESSMENT'],
  anchor: { events: ['request_received'], pick: 'first' },
  offset: { unit: 'CW', n: 6 },
  status: 'statutory',
  source: 'SEND Regulations 2014 reg 5(1)',
  ...over,
});
const date = fc.integer({ min: 0, max: 400 }).map((n) => addDays('2026-09-01', n));

const item = fc
  .record({
    dueOn: date,
    snooze: fc.option(fc.integer({ min: -20, max: 20 }), { nil: null }),
    status: fc.constantFrom('OPEN', 'OPEN', 'OPEN', 'MET', 'PAUSED') as fc.Arbitrary<NudgeItem['status']>,
    owner: fc.boolean(),
    manager: fc.boolean(),
    leads: fc.option(fc.constantFrom(['5wd', '0d'], ['2w', '1d'], ['20wd']), { nil: undefined }),
    window: fc.boolean(),
    la: fc.boolean(),
  })
  .map(
    (x, k = 0): NudgeItem => ({
      deadlineId: `d${k}-${x.dueOn}`,
      orgId: 'o',
      caseRef: 'EHC-1',
      rule: rule({
        ...(x.leads ? { leadTimes: [...x.leads] } : {}),
        ...(x.window ? { window: true } : {}),
        ...(x.la ? { owner: 'la' as const } : {}),
      }),
      dueOn: x.dueOn,
      safeTargetOn: addDays(x.dueOn, -1),
      lowConfidence: false,
      status: x.status,
      snoozedUntil: x.snooze === null ? null : addDays(x.dueOn, x.snooze),
      ownerId: x.owner ? 'owner' : null,
      ownerName: 'Owen Officer',
      escalateToId: x.manager ? 'manager' : null,
      studentLabel: 'A.B. (Y7)',
    }),
  );

/** What the planner would store on `today`: each slot's key and fingerprint, with the day it is sent. */
const slotsOn = (items: NudgeItem[], today: string) =>
  new Map(planNudgeSlots(items, today, options).map((s) => [`${s.dedupeKey}=${s.fingerprint}`, s.day]));

/**
 * What a tick on `day` would write for a case planned on `planned`: slots it would create, and slots
 * still pending (sent on `day` or later) it would withdraw. A slot whose day has passed was handed to the
 * outbox by then (the due-reminders planner) and is never withdrawn.
 */
function writesOn(items: NudgeItem[], planned: string, day: string): string[] {
  const before = slotsOn(items, planned);
  const after = slotsOn(items, day);
  return [
    ...[...after.keys()].filter((k) => !before.has(k)).map((k) => `create ${k}`),
    ...[...before].filter(([k, d]) => d >= day && !after.has(k)).map(([k]) => `withdraw ${k}`),
  ];
}

describe('next moment of a case', () => {
  it('nothing a tick would write comes before the next moment', () => {
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 4 }), date, (items, today) => {
        const next = nextNudgeMoment(items, today, options, new Map());
        const last = next ?? addDays(today, 60);
        if (next !== null) expect(next > today).toBe(true);
        for (let d = addDays(today, 1); d < last; d = addDays(d, 1))
          expect({ day: d, writes: writesOn(items, today, d) }).toEqual({ day: d, writes: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('an overdue escalating deadline comes back weekly; a met one never', () => {
    const open = {
      deadlineId: 'd1',
      orgId: 'o',
      caseRef: 'EHC-1',
      rule: rule({}),
      dueOn: '2027-01-04',
      safeTargetOn: '2027-01-01',
      lowConfidence: false,
      status: 'OPEN',
      snoozedUntil: null,
      ownerId: 'owner',
      ownerName: 'Owen Officer',
      escalateToId: 'manager',
      studentLabel: 'A.B. (Y7)',
    } satisfies NudgeItem;
    // Escalations on Tue 5 Jan, then every Tuesday: the 12 Jan one enters the 3-day horizon on 9 Jan.
    expect(nextNudgeMoment([open], '2027-01-06', options, new Map())).toBe('2027-01-09');
    expect(nextNudgeMoment([{ ...open, status: 'MET' }], '2027-01-06', options, new Map())).toBeNull();
  });
});
