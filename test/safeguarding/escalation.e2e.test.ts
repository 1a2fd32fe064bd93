/**
 * Issue 7 end to end: a concern raised through the real form registry, routed by the real planner,
 * delivered through the console channel, answered through the console's buttons, on SQLite and PostgreSQL:
 * the ladder and what answers it. Restarts and crashes: escalation-restart.e2e.test.ts; who is sent what
 * (imports, early-intervention alerts, the rota, a DSL nobody can reach): escalation-routing.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { RECORD_TITLE_PREFIX } from '../../core/escalations/concern-messages.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import {
  actor,
  escalations,
  privacyAcrossThisFile,
  raise,
  refFor,
  schoolHubEach,
  transcripts,
} from './escalation-support.ts';
import { CONCERN_TEXT, type School, seedSchool } from './support.ts';

describe.each(providers)('safeguarding escalation on %s', (provider) => {
  let t: TestHub;
  let s: School;
  schoolHubEach(provider, (h) => {
    ({ t, s } = h);
  });

  it('stores the concern encrypted and audited before confirming, and names the DSL; the DSL has it within one tick', async () => {
    const outcome = await raise(t, s);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.reply).toContain('Dana Lead (DSL)');
    const rows = await t.hub.dbh.db.concern.findMany();
    expect(rows).toHaveLength(1);
    const c = rows[0]!;
    expect(c.textEnc).not.toContain('shed');
    expect(t.hub.cipher.decrypt(c.textEnc, 'Concern.textEnc')).toBe(CONCERN_TEXT);
    expect(c.occurredAt.toISOString()).toBe('2026-11-24T08:40:00.000Z');
    const audit = await t.hub.audit.forSubject('concern', c.id);
    expect(audit.map((a) => a.action)).toEqual(['concern.raised', 'concern.sent_to_dsl']);
    expect(audit[0]!.actorId).toBe(s.staff.teacher);
    expect(audit[0]!.channel).toBe('CONSOLE');

    await t.tickAndDeliver();
    const sent = escalations(t);
    expect(sent.map((m) => m.staffId)).toEqual([s.staff.dsl]);
    const m = sent[0]!.message;
    expect(m.audience).toBe('private');
    expect(m.title).toContain('Z.Q. (Y8)');
    expect(m.facts).toContainEqual({ label: 'Category', value: 'Neglect' });
    expect(m.facts).toContainEqual({ label: 'Immediate risk', value: 'no' });
    expect(m.actions.map((a) => a.verb)).toEqual([
      'acknowledge',
      'take_ownership',
      'open_record',
      'escalate',
    ]);
    const out = await t.hub.dbh.db.outboxMessage.findMany({
      select: { idempotencyKey: true, priority: true },
    });
    expect(out).toEqual([{ idempotencyKey: `concern:${c.id}:step:0:${s.staff.dsl}`, priority: 0 }]);
  });

  it('rejects a bad submission field by field and stores nothing', async () => {
    const outcome = await raise(t, s, {
      student: 'Nobody Atall',
      immediateRisk: 'maybe',
      when: 'yesterday-ish',
    });
    expect(outcome).toEqual({
      ok: false,
      errors: expect.objectContaining({ immediateRisk: 'Answer yes or no.' }),
    });
    const second = await raise(t, s, { student: 'Nobody Atall', when: 'yesterday-ish' });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(Object.keys(second.errors).sort()).toEqual(['student', 'when']);
    expect(await t.hub.dbh.db.concern.count()).toBe(0);
  });

  it('climbs DSL → deputies → head on time, then re-sends to everyone and stays red', async () => {
    await raise(t, s);
    await t.tickAndDeliver();
    t.clock.advanceMinutes(14);
    await t.tickAndDeliver();
    expect(escalations(t).map((m) => m.staffId)).toEqual([s.staff.dsl]);
    t.clock.advanceMinutes(1);
    await t.tickAndDeliver();
    expect(
      escalations(t)
        .map((m) => m.staffId)
        .sort(),
    ).toEqual([s.staff.dsl, s.staff.deputy, s.staff.deputy2].sort());
    t.clock.advanceMinutes(15);
    await t.tickAndDeliver();
    expect(
      escalations(t)
        .map((m) => m.staffId)
        .slice(3),
    ).toEqual([s.staff.head]);
    t.clock.advanceMinutes(15);
    await t.tickAndDeliver();
    const resent = escalations(t).slice(4);
    expect(resent.map((m) => m.staffId).sort()).toEqual(
      [s.staff.dsl, s.staff.deputy, s.staff.deputy2, s.staff.head].sort(),
    );
    expect(resent[0]!.message.title).toMatch(/^STILL UNACKNOWLEDGED/);
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    const actions = (await t.hub.audit.forSubject('concern', c.id)).map((a) => a.action);
    expect(actions).toEqual([
      'concern.raised',
      'concern.sent_to_dsl',
      'concern.escalated',
      'concern.escalated',
      'concern.resent',
    ]);
    const digest = t.hub.services.get('concerns') as {
      unacknowledgedCount(o: string): Promise<number>;
      unacknowledged(o: string): Promise<{ overdue: boolean }[]>;
    };
    expect(await digest.unacknowledgedCount(s.orgId)).toBe(1);
    expect((await digest.unacknowledged(s.orgId))[0]!.overdue).toBe(true);
  });

  it('with immediate risk the ladder steps every 5 minutes', async () => {
    await raise(t, s, { immediateRisk: 'yes' });
    await t.tickAndDeliver();
    t.clock.advanceMinutes(5);
    await t.tickAndDeliver();
    t.clock.advanceMinutes(5);
    await t.tickAndDeliver();
    expect(
      escalations(t)
        .map((m) => m.staffId)
        .slice(1, 3)
        .sort(),
    ).toEqual([s.staff.deputy, s.staff.deputy2].sort());
    expect(escalations(t).map((m) => m.staffId)).toEqual([
      s.staff.dsl,
      expect.any(String),
      expect.any(String),
      s.staff.head,
    ]);
    expect(escalations(t)[0]!.message.facts).toContainEqual({ label: 'Immediate risk', value: 'YES' });
  });

  it('acknowledge stops the ladder and tells the others it is handled; the DSL opens the record and records a referral', async () => {
    const opened: unknown[] = [];
    t.hub.services.set('deadlines', { openCase: async (x: unknown) => void opened.push(x) });
    const outcomes: unknown[] = [];
    t.hub.events.on('concern.outcome', (e) => void outcomes.push(e));
    await raise(t, s);
    await t.tickAndDeliver();
    t.clock.advanceMinutes(15);
    await t.tickAndDeliver();
    const deputyRef = refFor(t, s.staff.deputy)!;
    await t.console.handleLine(`acknowledge ${deputyRef}`);
    expect(t.consoleOut.text()).toContain(`[${deputyRef}] Acknowledged by Dev Deputy`);
    await t.tickAndDeliver();
    const handled = t.console.transcript().filter((m) => m.message.kind === 'concern_handled');
    expect(handled.map((m) => m.staffId).sort()).toEqual([s.staff.dsl, s.staff.deputy2].sort());
    expect(
      t.console
        .transcript()
        .some((m) => m.staffId === s.staff.teacher && m.message.kind === 'concern_receipt'),
    ).toBe(true);
    t.clock.advanceMinutes(120);
    await t.tickAndDeliver();
    expect(escalations(t)).toHaveLength(3);

    // A second press (the DSL's own copy) is told who has it; nothing changes.
    const dslRef = refFor(t, s.staff.dsl)!;
    await t.console.handleLine(`acknowledge ${dslRef}`);
    expect(t.consoleOut.text()).toContain('Already acknowledged by Dev Deputy');

    // The record: only in the private reply to a safeguarding lead.
    await t.console.handleLine(`open-record ${dslRef}`);
    const out = t.consoleOut.text();
    expect(out).toContain(RECORD_TITLE_PREFIX);
    expect(out).toContain(CONCERN_TEXT);

    await t.tickAndDeliver();
    // The outcome buttons arrive as the acknowledger's own private message.
    const promptRef = refFor(t, s.staff.deputy, 'text')!;
    expect(promptRef).toBeDefined();
    await t.console.handleLine(`record-outcome ${promptRef} referral`);
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    expect(c.status).toBe('CLOSED');
    expect(c.outcome).toBe('referral_csc');
    expect(opened).toEqual([
      expect.objectContaining({
        orgId: s.orgId,
        studentId: s.pupil,
        kind: 'CHILD_PROTECTION',
        startDate: '2026-11-24',
        ownerId: s.staff.deputy,
      }),
    ]);
    expect(outcomes).toEqual([expect.objectContaining({ concernId: c.id, outcome: 'referral_csc' })]);
    const actions = (await t.hub.audit.forSubject('concern', c.id)).map((a) => `${a.action}:${a.channel}`);
    expect(actions).toEqual([
      'concern.raised:CONSOLE',
      'concern.sent_to_dsl:SYSTEM',
      'concern.escalated:SYSTEM',
      'concern.acknowledged:CONSOLE',
      'concern.record_viewed:CONSOLE',
      'concern.outcome_recorded:CONSOLE',
      'concern.cp_timeframes_started:CONSOLE',
    ]);
  });

  it('with the real deadline engine loaded, a referral opens a child-protection case with its deadlines', async () => {
    const withDeadlines = await startTestHub(provider, {
      now: '2026-11-24T09:00:00Z',
      modules: [deadlinesModule(), safeguardingModule()],
    });
    try {
      const s2 = await seedSchool(withDeadlines.hub.dbh.db);
      await raise(withDeadlines, s2);
      await withDeadlines.tickAndDeliver();
      await withDeadlines.console.handleLine(`take-ownership ${refFor(withDeadlines, s2.staff.dsl)}`);
      await withDeadlines.tickAndDeliver();
      await withDeadlines.console.handleLine(
        `record-outcome ${refFor(withDeadlines, s2.staff.dsl, 'text')} referral`,
      );
      const cases = await withDeadlines.hub.dbh.db.case.findMany({
        select: { kind: true, studentId: true, ownerId: true, id: true },
      });
      expect(cases).toEqual([
        expect.objectContaining({ kind: 'CHILD_PROTECTION', studentId: s2.pupil, ownerId: s2.staff.dsl }),
      ]);
      const due = await withDeadlines.hub.dbh.db.deadline.count({ where: { caseId: cases[0]!.id } });
      expect(due).toBeGreaterThan(0);
      expect(withDeadlines.consoleOut.text()).toContain('Child-protection timeframes have started');
    } finally {
      transcripts.push(withDeadlines.consoleOut.text());
      await withDeadlines.close();
    }
  });

  it('an acknowledgement cancels escalation messages not yet delivered (nobody is alarmed for nothing)', async () => {
    await raise(t, s);
    await t.tickAndDeliver();
    t.clock.advanceMinutes(15);
    await t.hub.scheduler.tick(); // the deputies' step is queued, not yet delivered
    await t.console.handleLine(`acknowledge ${refFor(t, s.staff.dsl)}`);
    await t.tickAndDeliver();
    expect(escalations(t).map((m) => m.staffId)).toEqual([s.staff.dsl]);
    expect(t.console.transcript().filter((m) => m.message.kind === 'concern_handled')).toEqual([]);
    const states = await t.hub.dbh.db.outboxMessage.findMany({
      where: { idempotencyKey: { contains: ':step:1:' } },
      select: { state: true },
    });
    expect(states.map((x) => x.state)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('a member of staff who is not a safeguarding lead cannot open the record (denied and audited)', async () => {
    await raise(t, s);
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    const r = await t.hub.actions.dispatch({
      actor: await actor(t, s.staff.teacher),
      via: 'CONSOLE',
      verb: 'open_record',
      subject: { type: 'concern', id: c.id },
      args: {},
    });
    expect(r.reply?.title).toMatch(/does not allow/);
    expect(JSON.stringify(r)).not.toContain('shed');
    const denied = await t.hub.dbh.db.auditEvent.count({
      where: { action: 'access.denied', subjectId: c.id },
    });
    expect(denied).toBe(1);
  });

  it('without the deadlines service a referral is still recorded (and a warning logged)', async () => {
    await raise(t, s);
    await t.tickAndDeliver();
    await t.console.handleLine(`take-ownership ${refFor(t, s.staff.dsl)}`);
    const c0 = (await t.hub.dbh.db.concern.findFirst())!;
    const bad = await t.hub.actions.dispatch({
      actor: await actor(t, s.staff.dsl),
      via: 'CONSOLE',
      verb: 'record_outcome',
      subject: { type: 'concern', id: c0.id },
      args: { outcome: 'shrug' },
    });
    expect(bad.reply?.title).toContain('That is not an outcome: nothing was recorded');
    await t.tickAndDeliver();
    await t.console.handleLine(`record-outcome ${refFor(t, s.staff.dsl, 'text')} referral`);
    expect(t.logOut.text()).toContain('no deadlines service');
    expect(t.consoleOut.text()).toContain('track the child-protection timeframes yourself');
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    expect(c).toMatchObject({ status: 'CLOSED', outcome: 'referral_csc', ownerId: s.staff.dsl });
  });

  it('the Escalate button sends the next step at once', async () => {
    await raise(t, s);
    await t.tickAndDeliver();
    await t.console.handleLine(`escalate ${refFor(t, s.staff.dsl)}`);
    await t.tickAndDeliver();
    expect(
      escalations(t)
        .map((m) => m.staffId)
        .sort(),
    ).toEqual([s.staff.dsl, s.staff.deputy, s.staff.deputy2].sort());
  });
});

privacyAcrossThisFile(true);
