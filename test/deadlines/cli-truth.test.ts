/**
 * Issue 14 part A from the administrator's seat: `send-hub` as a child process on a fresh database (both
 * providers), reading what it prints. Point 1: the demo's cases show deadlines after `demo` + `tick`, a
 * newcomer gets a deadline nudge; a case stored with an unversioned pack is migrated; an unknown pack says
 * so in the timeline, `due`, `doctor` and the tick's counts; `case open` says what a case is waiting for.
 * Point 4: due dates on a bank holiday or a Sunday are flagged with the safe target. Point 5: key events
 * validated. Point 6: suspensions compute; a PEP without term dates says it needs them.
 * Dates are real (the CLI runs on the system clock): key dates are in the past, plans in 2099.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

describe.each(providers)('send-hub deadlines tell the truth (%s)', (provider) => {
  let session: CliSession;
  const cli = (...args: string[]) => session.cli(...args);
  /** `send-hub case open` for a pupil (by UPN), with any further options (`--event k=date` …). */
  const openCase = (upn: string, kind: string, start: string, reference: string, ...more: string[]) =>
    cli(
      'case',
      'open',
      '--student',
      upn,
      '--kind',
      kind,
      '--start',
      start,
      '--reference',
      reference,
      ...more,
    );
  const withDb = async <T>(fn: (db: ReturnType<typeof createDb>['db']) => Promise<T>): Promise<T> => {
    const h = createDb(String(session.env.DATABASE_URL), { poolSize: 1 });
    try {
      return await fn(h.db);
    } finally {
      await h.close();
    }
  };

  beforeAll(async () => {
    // The fixed dates below (Nov 2026 to Jan 2027) read as on Mon 7 Dec 2026, the demo's terms as of 2026.
    session = await cliSession(provider, { SEND_HUB_TEST_NOW: '2026-12-07T12:00:00Z' });
    expect((await cli('demo')).out).toMatch(/Demo school loaded/);
  }, 120_000);
  afterAll(async () => {
    await session.close();
  });

  it('point 1: the demo cases show deadlines, a newcomer is nudged, old and unknown packs say so', async () => {
    const tick = await cli('tick');
    expect(tick.code).toBe(0);
    const counts = JSON.parse(tick.out).deadlines;
    // EHC needs assessment, annual review, PEP and health needs (DEMO-HN-1).
    expect(counts.cases).toBe(4);
    expect(counts.deadlines).toBeGreaterThanOrEqual(8);
    expect(counts.casesUnknownPack).toBe(0);
    const ehc = await cli('case', 'timeline', 'DEMO-EHC-1');
    expect(ehc.out).toMatch(/pack england-send-2014@cop-2015/);
    expect(ehc.out).toMatch(/Decision whether to assess \(the LA's\): open/);
    expect(ehc.out).toMatch(/Final EHC plan issued \(20 weeks\) \(the LA's\): open/);
    // The decision to assess is due today: the LA's (reg 5(1)), so the SENDCo holding the case is not nudged.
    const nudges = await withDb(async (db) => {
      const sendco = await db.staff.findFirstOrThrow({ where: { email: 'sendco@elmfield.example' } });
      return db.reminder.count({ where: { kind: 'deadline_nudge', recipientId: sendco.id } });
    });
    expect(nudges).toBeGreaterThan(0);

    // A case stored as the old demo stored it (unversioned pack, no deadlines) is migrated at start-up;
    // a case with an unknown pack is named wherever it is shown, and counted (never silently empty).
    await withDb(async (db) => {
      const c = await db.case.findFirstOrThrow({ where: { reference: 'DEMO-EHC-1' } });
      await db.deadline.deleteMany({ where: { caseId: c.id } });
      await db.case.update({ where: { id: c.id }, data: { rulePack: 'england-send-2014' } });
      await db.case.updateMany({ where: { reference: 'DEMO-AR-1' }, data: { rulePack: 'nonsense@1' } });
    });
    const t2 = JSON.parse((await cli('tick')).out).deadlines;
    expect(t2.casesUnknownPack).toBe(1);
    expect(t2.created).toBeGreaterThanOrEqual(4);
    const migrated = await cli('case', 'timeline', 'DEMO-EHC-1');
    expect(migrated.out).toMatch(/pack england-send-2014@cop-2015/);
    expect(migrated.out).toMatch(/Final EHC plan issued \(20 weeks\) \(the LA's\): open/);
    const tl = await cli('case', 'timeline', 'DEMO-AR-1');
    expect(tl.out).toMatch(/Attention: rule pack "nonsense@1" is unknown, so no deadlines are computed/);
    const due2 = await cli('due', '--within', '30d');
    expect(due2.out).toMatch(
      /ATTENTION {2}case DEMO-AR-1 · A\.B\. \(Y7\): rule pack "nonsense@1" is unknown/,
    );
    expect(due2.out).not.toMatch(/Amelia|Brook/);
    const doctor = await cli('doctor');
    expect(doctor.out).toMatch(/WARN deadlines: 1 open cases with an unknown rule pack/);
    await withDb(async (db) => {
      await db.case.updateMany({
        where: { reference: 'DEMO-AR-1' },
        data: { rulePack: 'england-send-2014@cop-2015' },
      });
    });
  }, 600_000);

  it('point 4: a due date on a bank holiday or a Sunday is flagged, with the safe target', async () => {
    const ehc = await openCase('D123456789012', 'EHC_NEEDS_ASSESSMENT', '2026-11-16', 'EHC-BH');
    expect(ehc.code).toBe(0);
    expect(ehc.out).toMatch(
      /Mon 28 Dec 2026 {2}Decision whether to assess \(the LA's\): \w+.* ⚠ Mon 28 Dec 2026 is a bank holiday: safe target Thu 24 Dec 2026/,
    );
    const ar = await openCase('A123456789012', 'ANNUAL_REVIEW', '2026-02-01', 'AR-SUN');
    // A review meeting is held at school: the target is the last school day before (demo term dates).
    expect(ar.out).toMatch(
      /Sun 31 Jan 2027 {2}Annual review meeting \(within 12 months\): open ⚠ Sun 31 Jan 2027 is a Sunday: hold it by Fri 29 Jan 2027/,
    );
    const eh = await openCase('C123456789012', 'EARLY_HELP', '2026-12-06', 'EH-SUN');
    expect(eh.out).toMatch(
      /Sun 17 Jan 2027 {2}TAC \/ Early Help review \(every 6 weeks\): \w+.* ⚠ Sun 17 Jan 2027 is a Sunday: hold it by Fri 15 Jan 2027/,
    );
    const due = await cli('due', '--within', '3650d');
    expect(due.out).toMatch(
      /2026-12-28 .*case EHC-BH.* ⚠ Mon 28 Dec 2026 is a bank holiday: safe target Thu 24 Dec 2026/,
    );
  }, 300_000);

  it('point 5: key events are validated; --planned records a plan that meets no deadline', async () => {
    const typo = await cli('case', 'event', 'EHC-BH', 'draft_servd', '2026-12-01');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(
      /event "draft_servd" is not a key event of EHC_NEEDS_ASSESSMENT cases; expected one of: request_received, .*draft_served/,
    );
    const future = await cli('case', 'event', 'EHC-BH', 'draft_served', '2099-01-10');
    expect(future.code).toBe(2);
    expect(future.err).toMatch(/draft_served on 2099-01-10: that date is in the future.*--planned/);
    const planned = await cli('case', 'event', 'EHC-BH', 'final_plan_issued', '2099-01-10', '--planned');
    expect(planned.code).toBe(0);
    expect(planned.out).toMatch(/Sat 10 Jan 2099 {2}final_plan_issued \(planned: meets no deadline\)/);
    expect(planned.out).not.toMatch(/MET LATE/);
    expect(planned.out).toMatch(/Final EHC plan issued \(20 weeks\) \(the LA's\): (open|passed)/);
    expect(planned.out).not.toMatch(/draft_servd/);
  }, 300_000);

  it('point 6: a suspension computes its duties; a PEP without term dates says it needs them', async () => {
    const bare = await openCase('C123456789012', 'SUSPENSION', '2026-11-02', 'SUS-0');
    expect(bare.code).toBe(0);
    expect(bare.out).toMatch(
      /Note: waiting for the key date first_day_of_suspension \("Education from the 6th school day \(school, for a suspension\)" and "Governing board considers reinstatement \(over 15 school days in a term, or exam missed\)" count from it\)\./,
    );
    const wrongName = await cli('case', 'event', 'SUS-0', 'first_day_of_exclusion', '2026-11-03');
    expect(wrongName.code).toBe(2);
    expect(wrongName.err).toMatch(/expected one of: .*first_day_of_suspension/);
    const sus = await openCase(
      'C123456789012',
      'SUSPENSION',
      '2026-11-02',
      'SUS-1',
      '--event',
      'first_day_of_suspension=2026-11-03',
      '--event',
      'return_date=2026-11-12',
      '--event',
      'suspension_notified=2026-11-23',
      '--event',
      'first_day_of_suspension=2026-11-24',
      '--event',
      'return_date=2026-12-07',
    );
    expect(sus.code).toBe(0);
    expect(sus.out).toMatch(
      /Tue 10 Nov 2026 {2}Education from the 6th school day \(school, for a suspension\)/,
    );
    // 7 + 9 school days in the autumn term: over 15, so the board must consider reinstatement within 15
    // school days of the second notice (reg 6(3)(b)).
    expect(sus.out).toMatch(
      /Mon 14 Dec 2026 {2}Governing board considers reinstatement \(over 15 school days in a term, or exam missed\)/,
    );
    expect(sus.out).toMatch(
      /source: .*reg 6\(3\)\(b\).*legislation\.gov\.uk\/uksi\/2012\/1033\/regulation\/6/,
    );

    await withDb(async (db) => {
      await db.termDate.deleteMany({});
    });
    const pep = await openCase(
      'B123456789012',
      'PEP',
      '2026-10-01',
      'PEP-NT',
      '--event',
      'pep_initiated=2026-10-08',
    );
    expect(pep.out).toMatch(/Note: needs the school's term dates: C2 count school days or terms/);
    expect(pep.out).toMatch(/Attention: needs the school's term dates/);
    expect(pep.out).toMatch(/send-hub import ics/);
  }, 300_000);
});
