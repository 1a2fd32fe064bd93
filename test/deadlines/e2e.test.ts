/**
 * End to end (issue 3 "Done when"): an EHC needs assessment request is opened, a fake clock runs through
 * 21 weeks one day at a time, and every nudge, the overdue escalation to the line manager and the weekly
 * digests arrive through the console channel, on the right days, once each, naming the child by initials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { addDays } from '../../core/calendar/iso-date.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedLa } from './la-support.ts';

async function seed(t: TestHub) {
  const la = await seedLa(t);
  const other = await t.hub.dbh.db.staff.create({
    data: {
      orgId: la.org.id,
      displayName: 'Olive Other',
      email: 'olive@la.example',
      roles: { create: [{ role: 'STAFF' }] },
    },
  });
  return { ...la, other };
}

describe.each(providers)('EHCNA request through 20 weeks (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('nudges the officer, escalates to the line manager, and sends the digests', async () => {
    t = await startTestHub(provider, {
      now: '2026-11-23T09:00:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const { hub, clock } = t;
    const s = await seed(t);
    const svc = hub.services.get('deadlines') as DeadlineService;
    const opened = await svc.openCase({
      orgId: s.org.id,
      studentId: s.student.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-11-23',
      ownerId: s.officer.id,
      reference: 'EHC-1',
    });
    expect(opened.deadlines.map((d) => [d.ruleId, d.dueOn])).toEqual([
      ['E1', '2027-01-04'],
      ['E8', '2027-02-15'],
      ['E4', '2027-03-15'],
      ['E7', '2027-04-12'],
    ]);
    const officerActor = (await hub.staff.actorForStaff(s.officer.id))!;
    const otherActor = (await hub.staff.actorForStaff(s.other.id))!;
    const seen: { day: string; to: string; kind: string; title: string; subject?: string }[] = [];
    const idOf = async (ruleId: string) =>
      (
        await hub.dbh.db.deadline.findFirstOrThrow({
          where: { caseId: opened.caseId, ruleId: { startsWith: ruleId } },
        })
      ).id;

    for (let day = '2026-11-23'; day <= '2027-04-21'; day = addDays(day, 1)) {
      clock.set(`${day}T09:00:00Z`);
      // Nudges are due on working days only and digests on Mondays: weekends need no tick.
      if ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) continue;
      if (day === '2026-12-01')
        await svc.recordEvent(opened.caseId, 'advice_requested', day, {
          actorId: s.officer.id,
          actorKind: 'staff',
          channel: 'CONSOLE',
        });
      if (day === '2026-12-30')
        await svc.recordEvent(opened.caseId, 'assessment_decision', day, {
          actorId: s.officer.id,
          actorKind: 'staff',
          channel: 'CONSOLE',
        });
      if (day === '2027-03-02') {
        // A person records the regulation's exception (never the engine): reg 10(4)(c).
        const reply = await hub.commands.run(
          `deadline pause ${await idOf('E4')} reg10-4-c 2027-03-02`,
          officerActor,
          'CONSOLE',
        );
        expect(reply.kind === 'message' && reply.message.text).toMatch(/Paused by Owen Officer/);
      }
      const before = t.console.transcript().length;
      await t.tickAndDeliver();
      for (const m of t.console.transcript().slice(before))
        seen.push({
          day,
          to: m.staffId ?? '',
          kind: m.message.kind,
          title: m.message.title,
          subject: m.message.subject?.id,
        });
      // The advice deadline: done from its 3-working-day nudge, with the date it was met.
      const adviceNudge = t.console
        .transcript()
        .slice(before)
        .find((m) => m.message.title.startsWith('Advice from a professional'));
      if (adviceNudge && day >= '2027-01-07') {
        const other = await hub.actions.dispatch({
          actor: otherActor,
          via: 'CONSOLE',
          verb: 'done',
          subject: adviceNudge.message.subject!,
          args: {},
        });
        expect(other.reply?.title).toMatch(/does not allow/);
        const r = await hub.actions.dispatch({
          actor: officerActor,
          via: 'CONSOLE',
          verb: 'done',
          subject: adviceNudge.message.subject!,
          args: { ...(adviceNudge.message.actions[0]?.args ?? {}), metOn: day },
        });
        expect(r.resolved?.text).toMatch(/^Met on/);
      }
    }

    const to = (id: string) => seen.filter((x) => x.to === id);
    const nudges = to(s.officer.id).filter((x) => x.kind === 'deadline_nudge');
    const at = (title: RegExp) => nudges.filter((n) => title.test(n.title)).map((n) => n.day);
    // E1: 10 and 3 working days before (over Christmas), never on the day: it was met on 30 Dec.
    expect(at(/^Decision whether to assess/)).toEqual(['2026-12-16', '2026-12-29']);
    // E3 (requested 1 Dec, due Tue 12 Jan): 10wd = 24 Dec (25, 28 Dec and 1 Jan skipped), 3wd = 7 Jan, then done: no on-the-day nudge.
    expect(at(/^Advice from a professional/)).toEqual(['2026-12-24', '2027-01-07']);
    // E8 guidance: 5 working days before and on the day.
    expect(at(/^Assessment and advice complete/)).toEqual(['2027-02-08', '2027-02-15']);
    // E4: 10wd = 1 Mar, before the pause recorded on 2 Mar, then nothing: paused by reg 10(4)(c).
    expect(at(/^Decision whether to issue/)).toEqual(['2027-03-01']);
    // E7: 10wd (25 Mar, before Good Friday and Easter Monday), 3wd and on the day.
    expect(at(/^Final EHC plan/)).toEqual(['2027-03-25', '2027-04-07', '2027-04-12']);
    expect(nudges.find((n) => /Final EHC plan/.test(n.title) && n.day === '2027-04-12')?.title).toMatch(
      /due today/,
    );

    // Overdue: the line manager the next working day, then weekly.
    const escalations = to(s.manager.id).filter((x) => x.kind === 'deadline_escalation');
    expect(escalations.map((e) => [e.day, e.title])).toEqual([
      ['2027-04-13', 'Overdue: Final EHC plan issued (20 weeks) (was due Mon 12 Apr 2027)'],
      ['2027-04-20', 'Overdue: Final EHC plan issued (20 weeks) (was due Mon 12 Apr 2027)'],
    ]);
    // Weekly digests on Mondays: the officer's and the manager's team view.
    const digests = to(s.officer.id).filter((x) => x.kind === 'digest');
    expect(digests.length).toBeGreaterThanOrEqual(20);
    expect(digests.every((d) => new Date(`${d.day}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    const team = to(s.manager.id).filter((x) => x.kind === 'digest');
    expect(team.at(-1)?.title).toMatch(/^Team deadlines/);
    const lastTeam = t.console
      .transcript()
      .filter((m) => m.staffId === s.manager.id && m.message.kind === 'digest')
      .at(-1)!;
    expect(lastTeam.message.sections.find((x) => x.heading.startsWith('At risk'))?.lines.join('\n')).toMatch(
      /Z\.Q\. \(Y4\)/,
    );

    // Private, initials only, never the name, in the channel and in the logs.
    const all = t.console
      .transcript()
      .filter((m) => m.message.kind.startsWith('deadline') || m.message.kind === 'digest');
    expect(all.every((m) => m.message.audience === 'private')).toBe(true);
    expect(t.consoleOut.text()).toContain('Z.Q. (Y4)');
    expect(t.consoleOut.text()).not.toMatch(/Zebedee|Quillfeather/);
    expect(t.logOut.text()).not.toMatch(/Zebedee|Quillfeather/);

    // The timeline shows met, paused and overdue; the audit trail has each action.
    const lines = (await svc.timeline(opened.caseId))!.join('\n');
    expect(lines).toMatch(/Decision whether to assess: met on Wed 30 Dec 2026/);
    expect(lines).toMatch(
      /Decision whether to issue a plan .*: PAUSED by exception: Exceptional personal circumstances/,
    );
    expect(lines).toMatch(/Final EHC plan issued \(20 weeks\): OVERDUE by 9 days/);
    const audit = await hub.dbh.db.auditEvent.findMany({
      where: { subjectType: 'deadline' },
      select: { action: true },
    });
    expect(audit.map((a) => a.action).sort()).toEqual(['access.denied', 'deadline.met', 'deadline.paused']);
  }, 120_000);
});
