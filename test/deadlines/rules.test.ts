/** Rule packs (versioned, dated, cited), local rules from a zod-validated file, and the engine's diff. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLocalRules } from '../../app/deadlines/service.ts';
import { schoolDays } from '../../core/calendar/school-days.ts';
import { officerDigest, summarise } from '../../core/deadlines/digest.ts';
import { diffDeadlines, evaluateCase } from '../../core/deadlines/engine.ts';
import { parseLocalRules } from '../../core/deadlines/local-rules.ts';
import { planDeadlineNudges } from '../../core/deadlines/nudges.ts';
import { ruleHeldBy } from '../../core/deadlines/ownership.ts';
import { englandSend2014 } from '../../core/deadlines/packs/england-send-2014.ts';
import { RuleBook, shippedPacks } from '../../core/deadlines/registry.ts';
import type { RulePack } from '../../core/deadlines/types.ts';
import { BankHolidayCalendar, parseGovUkFeed } from '../../integrations/bank-holidays/bank-holidays.ts';

const holidays = new BankHolidayCalendar();
const ctx = { holidays, schoolDays: schoolDays(undefined, holidays) };
const ev = (pairs: [string, string][]) =>
  pairs.map(([kind, occurredOn], i) => ({ id: `e${i}`, kind, occurredOn }));

describe('rule packs', () => {
  it('every shipped rule cites a source and belongs to a dated pack', () => {
    for (const p of shippedPacks) {
      expect(p.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const r of p.rules) expect(r.source.length).toBeGreaterThan(10);
    }
  });
  it('a case keeps the pack in force when it started; a later pack applies to later cases only', () => {
    const reform: RulePack = {
      ...englandSend2014,
      id: 'england-send-reform@2029',
      effectiveFrom: '2029-09-01',
      caseKinds: ['ANNUAL_REVIEW'],
      rules: [
        {
          ...englandSend2014.rules.find((r) => r.id === 'R1')!,
          name: 'End-of-key-stage review',
          offset: { unit: 'M', n: 24, within: true },
        },
      ],
    };
    const book = new RuleBook([...shippedPacks, reform]);
    expect(book.packFor('ANNUAL_REVIEW', '2027-04-12').id).toBe('england-send-2014@cop-2015');
    expect(book.packFor('ANNUAL_REVIEW', '2029-10-01').id).toBe('england-send-reform@2029');
    const old = evaluateCase(
      {
        kind: 'ANNUAL_REVIEW',
        rulePack: 'england-send-2014@cop-2015',
        events: ev([['plan_issued', '2029-10-01']]),
      },
      book,
      ctx,
    );
    const neu = evaluateCase(
      {
        kind: 'ANNUAL_REVIEW',
        rulePack: 'england-send-reform@2029',
        events: ev([['plan_issued', '2029-10-01']]),
      },
      book,
      ctx,
    );
    expect(old.find((d) => d.rule.id === 'R1')?.dueOn).toBe('2030-09-30');
    expect(neu.find((d) => d.rule.id === 'R1')?.dueOn).toBe('2031-09-30');
  });
  it('EHCNA exceptions are the four reasons of reg 10(4); the advice rule has reg 8(2)', () => {
    const book = new RuleBook();
    expect(
      book.rule('EHC_NEEDS_ASSESSMENT', englandSend2014.id, 'E7')?.exceptions?.map((e) => e.code),
    ).toEqual(['reg10-4-a', 'reg10-4-b', 'reg10-4-c', 'reg10-4-d']);
    expect(
      book.rule('EHC_NEEDS_ASSESSMENT', englandSend2014.id, 'E3')?.exceptions?.map((e) => e.code),
    ).toEqual(['reg8-2-a', 'reg8-2-b', 'reg8-2-c']);
  });
});

describe('local rules file', () => {
  const file = {
    rules: [
      {
        id: 'L-draft-14w',
        name: 'Draft plan (LA target, 14 weeks)',
        caseKinds: ['EHC_NEEDS_ASSESSMENT'],
        anchor: { events: ['request_received'] },
        offset: { unit: 'CW', n: 14 },
        metBy: ['draft_served'],
        source: 'Northshire EHCNA protocol 2026 s.4',
      },
    ],
    overrides: { EH1: { offset: { unit: 'CW', n: 8 } }, W4: { anchorPick: 'first' } },
  };
  it('adds an LA target and overrides local defaults, without code changes', () => {
    const r = parseLocalRules(file, 'rules.json');
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const book = new RuleBook(undefined, r.value);
    const out = evaluateCase(
      {
        kind: 'EHC_NEEDS_ASSESSMENT',
        rulePack: englandSend2014.id,
        events: ev([['request_received', '2026-11-23']]),
      },
      book,
      ctx,
    );
    const local = out.find((d) => d.rule.id === 'L-draft-14w')!;
    expect(local.dueOn).toBe('2027-03-01');
    expect(local.rule.status).toBe('local');
    const eh = evaluateCase(
      {
        kind: 'EARLY_HELP',
        rulePack: 'england-local-defaults@2026',
        events: ev([['early_help_started', '2027-01-04']]),
      },
      book,
      ctx,
    );
    expect(eh[0]?.dueOn).toBe('2027-03-01');
    const cp = evaluateCase(
      {
        kind: 'CHILD_PROTECTION',
        rulePack: 'england-working-together@2023',
        events: ev([
          ['strategy_discussion', '2027-01-04'],
          ['strategy_discussion', '2027-01-11'],
        ]),
      },
      book,
      ctx,
    );
    expect(cp.find((d) => d.rule.id === 'W4')?.anchorOn).toBe('2027-01-04');
  });
  it('rejects a bad file naming the field, and a YAML file loads the same', () => {
    const bad = parseLocalRules(
      { rules: [{ ...file.rules[0], id: 'draft', offset: { unit: 'CW', n: 'x' } }] },
      'rules.json',
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.join('\n')).toMatch(/rules\.json: rules\.0\.id: local rule ids start with L/);
      expect(bad.problems.join('\n')).toMatch(/rules\.json: rules\.0\.offset\.n/);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-'));
    const y = path.join(dir, 'rules.yaml');
    fs.writeFileSync(
      y,
      'rules:\n  - id: L-panel\n    name: Panel decision\n    caseKinds: [EHC_NEEDS_ASSESSMENT]\n    anchor: { events: [request_received] }\n    offset: { unit: WD, n: 30 }\n    source: Local panel terms of reference\n',
    );
    expect(loadLocalRules(y).rules[0]?.id).toBe('L-panel');
    fs.writeFileSync(y, 'rules: [ { id: nope } ]\n');
    expect(() => loadLocalRules(y)).toThrow(/DEADLINE_RULES_FILE rules\.yaml: rules\.0\.id/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('engine diff and nudges', () => {
  const book = new RuleBook();
  const computed = evaluateCase(
    {
      kind: 'EHC_NEEDS_ASSESSMENT',
      rulePack: englandSend2014.id,
      events: ev([
        ['request_received', '2026-11-23'],
        ['assessment_decision', '2026-12-20'],
      ]),
    },
    book,
    ctx,
  );
  it('creates, marks met from events, never re-opens a met deadline, cancels what no longer applies', () => {
    const first = diffDeadlines(computed, []);
    expect(first.creates.find((c) => c.ruleId === 'E1')).toMatchObject({
      status: 'MET',
      metOn: '2026-12-20',
    });
    const stored = [
      { id: 'd1', ruleId: 'E7', dueOn: '2027-04-12', status: 'MET' as const, metOn: '2027-04-01' },
      { id: 'd2', ruleId: 'E3#gone', dueOn: '2027-01-01', status: 'OPEN' as const, metOn: null },
      { id: 'd3', ruleId: 'E4', dueOn: '2027-03-15', status: 'PAUSED' as const, metOn: null },
    ];
    const d = diffDeadlines(computed, stored);
    expect(d.updates).toEqual([{ id: 'd2', data: { status: 'CANCELLED' } }]);
  });
  it('a paused or met deadline is never nudged; quiet hours are respected; messages are private', () => {
    const e7 = computed.find((c) => c.key === 'E7')!;
    const base = {
      deadlineId: 'x',
      orgId: 'o',
      caseRef: 'C1',
      // Held at the local authority: the plan is its EHCNA officer's to issue (reg 13(2)).
      rule: ruleHeldBy(e7.rule, true),
      dueOn: e7.dueOn,
      safeTargetOn: e7.safeTargetOn,
      lowConfidence: false,
      snoozedUntil: null,
      ownerId: 's1',
      ownerName: 'Owen',
      escalateToId: 'm1',
      studentLabel: 'A.B. (Y7)',
    };
    const opts = {
      leadTimes: ['10wd', '3wd', '0d'],
      holidays,
      zone: 'Europe/London',
      sendAt: '08:00',
      horizonDays: 21,
      lookbackDays: 7,
    };
    expect(planDeadlineNudges([{ ...base, status: 'PAUSED' }], '2027-04-01', opts)).toEqual([]);
    expect(planDeadlineNudges([{ ...base, status: 'MET' }], '2027-04-01', opts)).toEqual([]);
    const specs = planDeadlineNudges([{ ...base, status: 'OPEN' }], '2027-04-01', opts);
    // The last past nudge within the 7-day lookback (25 Mar, 08:00 GMT) stays desired; later ones at 08:00 BST.
    expect(specs.map((s) => s.dueAt.toISOString())).toEqual([
      '2027-03-25T08:00:00.000Z',
      '2027-04-07T07:00:00.000Z',
      '2027-04-12T07:00:00.000Z',
    ]);
    expect(specs.every((s) => s.respectQuietHours && s.message.audience === 'private')).toBe(true);
    // Snoozed until 9 Apr: the 3-day nudge moves to the snooze date.
    const snoozed = planDeadlineNudges(
      [{ ...base, status: 'OPEN', snoozedUntil: '2027-04-09' }],
      '2027-04-08',
      opts,
    );
    expect(snoozed.map((s) => s.dueAt.toISOString().slice(0, 10))).toEqual(['2027-04-09', '2027-04-12']);
    // Held at a school, the plan is the LA's: no lead nudge and no escalation to the head, but the case
    // owner is told once, the working day after 12 Apr, that the LA's date has passed (to chase them).
    const atSchool = { ...base, rule: e7.rule, status: 'OPEN' as const };
    for (const today of ['2027-04-01', '2027-04-13', '2027-04-20']) {
      const late = planDeadlineNudges([atSchool], today, opts);
      expect(late.map((s) => [s.dueAt.toISOString(), s.recipientId])).toEqual([
        ['2027-04-13T07:00:00.000Z', 's1'],
      ]);
      expect(late[0]!.message.title).toBe(
        "The LA's date has passed: Final EHC plan issued (20 weeks) (was due Mon 12 Apr 2027)",
      );
      expect(late[0]!.message.actions?.map((a) => a.verb)).toEqual(['done']);
    }
  });
  it('digest counts overdue and due-soon per rule', () => {
    const items = [
      {
        deadlineId: '1',
        caseRef: 'C1',
        ruleId: 'E7',
        ruleName: 'Final plan',
        dueOn: '2027-04-01',
        status: 'OPEN' as const,
        window: false,
        ownerId: 's',
        studentLabel: 'A.B. (Y7)',
        atRisk20Weeks: true,
      },
      {
        deadlineId: '2',
        caseRef: 'C2',
        ruleId: 'E7',
        ruleName: 'Final plan',
        dueOn: '2027-04-12',
        status: 'OPEN' as const,
        window: false,
        ownerId: 's',
        studentLabel: 'C.D. (Y9)',
        atRisk20Weeks: true,
      },
    ];
    const m = officerDigest(summarise(items, '2027-04-05').get('s')!, '2027-04-05');
    expect(m.title).toBe('Your deadlines, week of Mon 5 Apr 2027: 1 overdue, 1 due in 2 weeks');
    expect(m.sections.at(-1)?.lines).toEqual(['Final plan: 2']);
  });
});

describe('bank holidays feed', () => {
  it('ships England and Wales 2018-2028 in the gov.uk format', () => {
    expect(holidays.span()).toEqual({ from: '2018', to: '2028' });
    const text = fs.readFileSync(
      new URL('../../integrations/bank-holidays/england-and-wales.json', import.meta.url),
      'utf8',
    );
    const feed = parseGovUkFeed(text, 'england-and-wales.json');
    expect(feed.problems).toEqual([]);
    expect(feed.events.filter((e) => e.date.startsWith('2022'))).toHaveLength(10);
  });
  it('stored years replace the bundled ones (a refreshed feed adds a one-off holiday)', () => {
    const cal = new BankHolidayCalendar();
    cal.load([{ date: '2027-06-07' }]);
    expect(cal.has('2027-06-07')).toBe(true);
    expect(cal.has('2027-12-27')).toBe(false);
    expect(cal.has('2026-12-28')).toBe(true);
  });
});
