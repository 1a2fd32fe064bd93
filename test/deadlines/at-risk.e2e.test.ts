/**
 * Issue 14 point 2 from the officer's and the manager's seats: an EHC needs assessment whose final plan is
 * due in two weeks, with three steps overdue and no draft, is at risk of breaching 20 weeks, with the
 * reason, in the officer's `digest` and the manager's team view (chat), and in the Monday digests the
 * planner sends. A case on track is not listed. Fails on the old code (the chat digest passed an empty
 * list: "At risk of breaching 20 weeks (0): None.").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedLa } from './la-support.ts';

describe.each(providers)('20-week risk in the digests (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('names the case at risk and why, for the officer and her manager', async () => {
    // Monday 11 Jan 2027: the digest day.
    t = await startTestHub(provider, {
      now: '2027-01-11T09:00:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const { org, manager, officer, student: zq } = await seedLa(t);
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    // Requested 18 weeks ago: final plan due Mon 25 Jan 2027; no decision, no advice, no draft.
    await svc.openCase({
      orgId: org.id,
      studentId: zq.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-09-07',
      ownerId: officer.id,
      reference: 'EHC-RISK',
    });
    // Requested 5 weeks ago, on track.
    await svc.openCase({
      orgId: org.id,
      studentId: zq.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-12-07',
      ownerId: officer.id,
      reference: 'EHC-OK',
    });
    const say = (line: string) => t!.say(line);
    await say('as owen@la.example');
    const own = await say('digest');
    expect(own).toContain('At risk of breaching 20 weeks (1)');
    expect(own).toContain(
      'case EHC-RISK · Z.Q. (Y4) · final plan due Mon 25 Jan 2027 · week 18: no decision to assess at week 6 (reg 5); no assessment complete at week 12 (local milestone E8); no draft at week 16 (reg 10, reg 13); cannot fit',
    );
    expect(own).not.toContain('case EHC-OK · Z.Q. (Y4) · final plan due');
    await say('as maya@la.example');
    const team = await say('digest');
    expect(team).toContain('Team: At risk of breaching 20 weeks (1)');
    expect(team).toMatch(
      /case EHC-RISK · Z\.Q\. \(Y4\) · final plan due Mon 25 Jan 2027 · week 18: .*no draft at week 16/,
    );

    // The Monday digests the planner sends say the same.
    await t.tickAndDeliver();
    const sent = t.console.transcript().filter((m) => m.message.kind === 'digest');
    const toManager = sent.find((m) => m.staffId === manager.id)!;
    const toOfficer = sent.find((m) => m.staffId === officer.id)!;
    const lines = (m: typeof toManager) =>
      m.message.sections.flatMap((x) => [x.heading, ...x.lines]).join('\n');
    expect(lines(toManager)).toMatch(
      /At risk of breaching 20 weeks \(1\)\ncase EHC-RISK · Z\.Q\. \(Y4\).*no draft at week 16/,
    );
    expect(lines(toOfficer)).toMatch(/At risk of breaching 20 weeks \(1\)\ncase EHC-RISK/);
    expect(t.consoleOut.text()).not.toMatch(/Zebedee|Quillfeather/);
  }, 180_000);
});
