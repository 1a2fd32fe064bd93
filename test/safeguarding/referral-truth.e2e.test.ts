/**
 * Issue 13, point 6: no invented facts. A DSL records "referral to children's social care": the
 * child-protection case opens on the referral, the only key date written is the one the DSL entered
 * (no strategy discussion that has not happened, so no ICPC date computed from it), and the dates the
 * local authority owns (Working Together 2023 ch. 3) are shown as the LA's and never nudged to the DSL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import { safeguardingModule, safeguardingOf } from '../../app/safeguarding/module.ts';
import { renderText } from '../../bots/console/render-text.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { CONCERN_TEXT, seedSchool } from './support.ts';

describe.each(providers)('a referral to children’s social care, on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => {
    await t.close();
  });

  it('records only what the DSL entered; the LA’s dates are shown as theirs and not nudged to the DSL', async () => {
    t = await startTestHub(provider, {
      now: '2026-11-24T09:00:00Z',
      modules: [deadlinesModule(), safeguardingModule()],
    });
    const s = await seedSchool(t.hub.dbh.db);
    const { service } = safeguardingOf(t.hub);
    const r = await service.raise({
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'Neglect',
      immediateRisk: false,
      text: CONCERN_TEXT,
      actionsTaken: '',
      occurredAt: t.clock.now(),
      via: 'CONSOLE',
    });
    await t.tickAndDeliver();
    const dsl = (await t.hub.staff.actorForStaff(s.staff.dsl))!;
    const recorded = await service.recordOutcome(dsl, r.concern.id, 'referral', 'CONSOLE');
    const said = renderText(recorded.reply!);
    expect(said).toContain('Referral to children');
    expect(said).toMatch(
      /case \S+ shows the LA's key dates; record the strategy discussion when it has happened/,
    );

    // The only key date is the referral, on the day the DSL recorded it.
    const events = await t.hub.dbh.db.caseEvent.findMany({ select: { kind: true, occurredOn: true } });
    expect(events).toEqual([{ kind: 'referral_received', occurredOn: '2026-11-24' }]);
    // No ICPC date computed from a strategy discussion that has not happened.
    const deadlines = await t.hub.dbh.db.deadline.findMany({ select: { ruleId: true, dueOn: true } });
    expect(deadlines.map((d) => d.ruleId).sort()).toEqual(['W1', 'W2']);

    // The LA's decision on the referral was due on the 25th; the day after, the DSL is not nudged for it as
    // her own: she is told once that children's social care's date has passed, so she can chase them
    // (KCSIE 2025 Part 1: the referrer follows up if the decision is not forthcoming).
    t.clock.set('2026-11-26T09:00:00Z');
    const from = t.consoleOut.text().length;
    await t.tickAndDeliver();
    const read = t.consoleOut.text().slice(from);
    const deadlineReminders = () =>
      t.hub.dbh.db.reminder.count({ where: { recipientId: s.staff.dsl, subjectType: 'deadline' } });
    expect(await deadlineReminders()).toBe(1);
    expect(read).toMatch(/The LA's date has passed: /);
    expect(read).toMatch(/children's social care's duty \(the local authority's\), not the school's/);
    expect(read).not.toMatch(/OVERDUE|escalat|Safe target/i);
    // Told once: the next day's tick says nothing more about it.
    t.clock.set('2026-11-27T09:00:00Z');
    await t.tickAndDeliver();
    expect(await deadlineReminders()).toBe(1);
    // Her due list names the dates as the LA's; her digest never counts them as her overdue work.
    const due = await t.hub.commands.run('due 90', dsl, 'CONSOLE');
    const dueText = due.kind === 'message' ? renderText(due.message) : '';
    expect(dueText).toMatch(/Assessment completed \(45 working days\) \(the LA's\)/);
    expect(dueText).not.toMatch(/overdue/i);
    const digest = await t.hub.commands.run('digest', dsl, 'CONSOLE');
    const text = digest.kind === 'message' ? renderText(digest.message) : '';
    expect(text).toContain('0 overdue');
  });
});
