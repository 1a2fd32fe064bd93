/**
 * Pause and resume (issue 3): a regulation's exception pauses a deadline (no nudges while it lasts); when
 * the exception stops applying, the Resume button on the pause confirmation (or `deadline resume <id>`)
 * opens it again, nudges start again, and both steps are audited. Only those who may act on the case can.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { addDays } from '../../core/calendar/iso-date.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

describe.each(providers)('pausing and resuming a deadline (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a paused deadline is not nudged; resumed from its button, it is nudged again', async () => {
    t = await startTestHub(provider, {
      now: '2027-02-22T09:00:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const { hub, clock } = t;
    const db = hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Eastshire LA', kind: 'LOCAL_AUTHORITY' } });
    const officer = await db.staff.create({
      data: {
        orgId: org.id,
        displayName: 'Pat Officer',
        email: 'pat@la.example',
        roles: { create: [{ role: 'COORDINATOR' }] },
      },
    });
    const other = await db.staff.create({
      data: {
        orgId: org.id,
        displayName: 'Sam Other',
        email: 'sam@la.example',
        roles: { create: [{ role: 'STAFF' }] },
      },
    });
    const student = await db.student.create({
      data: { orgId: org.id, givenName: 'Ysolde', familyName: 'Marchbank', yearGroup: '7', ehcp: false },
    });
    const svc = hub.services.get('deadlines') as DeadlineService;
    const opened = await svc.openCase({
      orgId: org.id,
      studentId: student.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-11-23',
      ownerId: officer.id,
      reference: 'EHC-9',
    });
    const e4 = await db.deadline.findFirstOrThrow({ where: { caseId: opened.caseId, ruleId: 'E4' } });
    expect(e4.dueOn).toBe('2027-03-15');
    const me = (await hub.staff.actorForStaff(officer.id))!;
    const them = (await hub.staff.actorForStaff(other.id))!;

    // Paused by reg 10(4)(c) on Mon 22 Feb: the confirmation carries the way back.
    const paused = await hub.commands.run(`deadline pause ${e4.id} reg10-4-c 2027-02-22`, me, 'CONSOLE');
    expect(paused.kind).toBe('message');
    if (paused.kind !== 'message') return;
    expect(paused.message.text).toMatch(/Paused by Pat Officer/);
    const button = paused.message.actions.find((a) => a.verb === 'resume');
    expect(button?.label).toBe('Resume timeframe');
    expect(paused.message.subject).toEqual({ type: 'deadline', id: e4.id });

    const nudgedOn: string[] = [];
    const runDays = async (from: string, to: string) => {
      for (let day = from; day <= to; day = addDays(day, 1)) {
        if ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) continue;
        clock.set(`${day}T09:00:00Z`);
        const before = t!.console.transcript().length;
        await t!.tickAndDeliver();
        for (const m of t!.console.transcript().slice(before))
          if (m.message.kind === 'deadline_nudge' && m.message.subject?.id === e4.id) nudgedOn.push(day);
      }
    };
    // 10 working days before 15 Mar is Mon 1 Mar: paused, so nothing.
    await runDays('2027-02-22', '2027-03-02');
    expect(nudgedOn).toEqual([]);

    // A colleague with no part in the case cannot resume it; the owner can, from the button.
    const refused = await hub.actions.dispatch({
      actor: them,
      via: 'CONSOLE',
      verb: 'resume',
      subject: paused.message.subject!,
      args: {},
    });
    expect(refused.resolved).toBeUndefined();
    expect(refused.reply?.title).toMatch(/does not allow/);
    const resumed = await hub.actions.dispatch({
      actor: me,
      via: 'CONSOLE',
      verb: 'resume',
      subject: paused.message.subject!,
      args: button!.args,
    });
    expect(resumed.resolved?.text).toMatch(/^Resumed by Pat Officer\. Statutory date Mon 15 Mar 2027/);
    expect((await db.deadline.findUniqueOrThrow({ where: { id: e4.id } })).status).toBe('OPEN');
    const again = await hub.commands.run(`deadline resume ${e4.id}`, me, 'CONSOLE');
    expect(again.kind === 'message' && again.message.title).toBe('That deadline is not paused.');

    // Nudged again: 3 working days before (Wed 10 Mar) and on the day.
    await runDays('2027-03-03', '2027-03-15');
    expect(nudgedOn).toContain('2027-03-10');
    expect(nudgedOn).toContain('2027-03-15');

    const audit = await db.auditEvent.findMany({ where: { subjectType: 'deadline', subjectId: e4.id } });
    expect(audit.map((a) => a.action).sort()).toEqual([
      'access.denied',
      'deadline.paused',
      'deadline.resumed',
    ]);
    expect(t.logOut.text()).not.toMatch(/Ysolde|Marchbank/);
  }, 120_000);
});
