/** The pure parts: who is on duty, when each step is due, which patterns fire. */
import { describe, expect, it } from 'vitest';
import { defaultAlertRules, evaluateAlertRules } from '../../core/escalations/alert-rules.ts';
import { parseOutcome } from '../../core/escalations/concern.ts';
import {
  defaultEscalationPolicy,
  isOverdue,
  planStep,
  stepKey,
} from '../../core/escalations/escalation-ladder.ts';
import { inHours, ladderAt, ladderFromRoles, type RotaEntry } from '../../core/escalations/rota.ts';

const hours = {
  from: '08:00',
  until: '17:30',
  zone: 'Europe/London',
  holidays: { has: (d: string) => d === '2026-08-31' },
};
const e = (staffId: string, level: RotaEntry['level'], extra: Partial<RotaEntry> = {}): RotaEntry => ({
  staffId,
  level,
  rank: 0,
  window: 'ALWAYS',
  validFrom: null,
  validTo: null,
  ...extra,
});
const ids = (l: { staffId: string }[][]) => l.map((g) => g.map((m) => m.staffId));

describe('who is on duty', () => {
  const rota = [
    e('dsl', 'DSL', { window: 'IN_HOURS' }),
    e('oncall', 'DSL', { window: 'OUT_OF_HOURS' }),
    e('dep2', 'DEPUTY_DSL', { rank: 2 }),
    e('dep1', 'DEPUTY_DSL', { rank: 1 }),
    e('head', 'HEAD'),
    e('cover', 'DSL', { validFrom: '2026-12-21', validTo: '2027-01-01' }),
  ];
  it('in school hours: DSL, deputies by rank, head', () => {
    expect(ids(ladderAt(rota, new Date('2026-11-24T10:00:00Z'), hours))).toEqual([
      ['dsl'],
      ['dep1', 'dep2'],
      ['head'],
    ]);
  });
  it('out of hours (evening, weekend, bank holiday, BST edge): the on-call DSL', () => {
    for (const at of [
      '2026-11-24T18:00:00Z',
      '2026-11-28T10:00:00Z',
      '2026-08-31T10:00:00Z',
      '2026-06-01T06:30:00Z',
    ])
      expect(ids(ladderAt(rota, new Date(at), hours))[0]).toEqual(['oncall']);
    // 07:30 UTC on 1 June is 08:30 BST: in hours.
    expect(inHours(new Date('2026-06-01T07:30:00Z'), hours)).toBe(true);
  });
  it('holiday cover replaces the regular DSL for its dates only', () => {
    expect(ids(ladderAt(rota, new Date('2026-12-22T10:00:00Z'), hours))[0]).toEqual(['cover']);
    expect(ids(ladderAt(rota, new Date('2027-01-04T10:00:00Z'), hours))[0]).toEqual(['dsl']);
  });
  it('a person appears once, at their highest level; empty levels are skipped', () => {
    expect(
      ids(ladderAt([e('a', 'DSL'), e('a', 'HEAD'), e('b', 'HEAD')], new Date('2026-11-24T10:00:00Z'), hours)),
    ).toEqual([['a'], ['b']]);
  });
  it('without a rota, roles decide', () => {
    expect(
      ids(
        ladderFromRoles([
          { id: 'h', roles: ['HEAD', 'ADMIN'] },
          { id: 'd', roles: ['DSL'] },
          { id: 's', roles: ['SENDCO', 'DEPUTY_DSL'] },
        ]),
      ),
    ).toEqual([['d'], ['s'], ['h']]);
  });
});

describe('the ladder timer', () => {
  const ladder = [
    [{ staffId: 'd', level: 'DSL' as const, rank: 0 }],
    [{ staffId: 'x', level: 'DEPUTY_DSL' as const, rank: 0 }],
  ];
  const at = new Date('2026-11-24T10:00:00Z');
  it('15 minutes per step, 5 with immediate risk, then re-sends to everyone', () => {
    expect(planStep(ladder, 0, false, at, defaultEscalationPolicy).nextDueAt.toISOString()).toBe(
      '2026-11-24T10:15:00.000Z',
    );
    expect(planStep(ladder, 0, true, at, defaultEscalationPolicy).nextDueAt.toISOString()).toBe(
      '2026-11-24T10:05:00.000Z',
    );
    const resend = planStep(ladder, 2, false, at, { ...defaultEscalationPolicy, resendMinutes: 30 });
    expect(resend.kind).toBe('resend');
    expect(resend.recipients.map((r) => r.staffId)).toEqual(['d', 'x']);
    expect(resend.nextDueAt.toISOString()).toBe('2026-11-24T10:30:00.000Z');
    expect(stepKey('c1', 2, 'd')).toBe('concern:c1:step:2:d');
  });
  it('is red once the first window passes without an acknowledgement', () => {
    const c = { status: 'RAISED', raisedAt: at, immediateRisk: false };
    expect(isOverdue(c, new Date('2026-11-24T10:14:59Z'), defaultEscalationPolicy)).toBe(false);
    expect(isOverdue(c, new Date('2026-11-24T10:15:00Z'), defaultEscalationPolicy)).toBe(true);
    expect(
      isOverdue({ ...c, status: 'ACKNOWLEDGED' }, new Date('2026-11-25T00:00:00Z'), defaultEscalationPolicy),
    ).toBe(false);
  });
  it('reads outcomes the way people type them', () => {
    expect(parseOutcome("Referral to children's social care")).toBe('referral_csc');
    expect(parseOutcome('NFA')).toBe('no_further_action');
    expect(parseOutcome('early help')).toBe('early_help');
    expect(parseOutcome('maybe')).toBeNull();
  });
});

describe('early-intervention rules', () => {
  const base = { studentId: 's', onSenRegister: false, incidents: [], attendance: [] };
  const inc = (id: string, date: string, cat = 'Behaviour') => ({ id, date, categories: [cat] });
  it('3 incidents in 7 days fires; 2 do not; the window key is stable within the window', () => {
    const three = {
      ...base,
      incidents: [inc('1', '2026-11-19'), inc('2', '2026-11-20'), inc('3', '2026-11-24')],
    };
    const f1 = evaluateAlertRules(three, '2026-11-24', defaultAlertRules);
    expect(f1.map((f) => f.ruleId)).toEqual(['incidents-3-in-7']);
    expect(evaluateAlertRules(three, '2026-11-25', defaultAlertRules)[0]!.windowKey).toBe(f1[0]!.windowKey);
    expect(
      evaluateAlertRules({ ...base, incidents: three.incidents.slice(1) }, '2026-11-24', defaultAlertRules),
    ).toEqual([]);
    expect(evaluateAlertRules(three, '2026-11-26', defaultAlertRules)).toEqual([]);
  });
  it('attendance under 90% over 4 weeks fires; 90% exactly does not', () => {
    const a = (att: number) => ({
      ...base,
      attendance: [{ periodStart: '2026-10-27', periodEnd: '2026-11-20', possible: 40, attended: att }],
    });
    expect(evaluateAlertRules(a(35), '2026-11-24', defaultAlertRules).map((f) => f.pattern)).toEqual([
      'attendance 87.5% over the last 4 weeks (below 90%)',
    ]);
    expect(evaluateAlertRules(a(36), '2026-11-24', defaultAlertRules)).toEqual([]);
  });
  it('a new suspension fires only for a pupil on the SEN register, once per suspension', () => {
    const f = { ...base, incidents: [inc('s1', '2026-11-23', 'Suspension (fixed term)')] };
    expect(evaluateAlertRules(f, '2026-11-24', defaultAlertRules)).toEqual([]);
    const sen = evaluateAlertRules({ ...f, onSenRegister: true }, '2026-11-24', defaultAlertRules);
    expect(sen.map((x) => [x.ruleId, x.windowKey])).toEqual([['sen-suspension', 'incident:s1']]);
  });
});
