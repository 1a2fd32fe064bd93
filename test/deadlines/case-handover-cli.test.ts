/**
 * A caseload handover from the command line (real `send-hub` processes on one database), as the hub's
 * administrator or an LA's SEN team manager does it when an officer leaves: Grace Mensah manages Karen Obi
 * and Tom Reed (an Arbor staff export). Karen holds EHC-1 (its decision whether to assess due in two days:
 * its nudges are planned) and EHC-2, assigned to her before the history was kept.
 * - `case reassign EHC-1 tom…`: EHC-1 is Tom's from today, audited as admin-cli; after the next `tick`
 *   its nudges go to Tom, not Karen; an unknown colleague exits 2.
 * - `case history EHC-1`: who held it from when to when (Karen, then Tom from today); no child named.
 * - `case handover karen… tom…`: lists Karen's open cases and changes nothing; with --yes hands them
 *   over; EHC-2's history then reads Karen "before history", then Tom.
 * Each `send-hub` is a whole process (12-26 s each at load 13-17 on 2 cores): the scenario keeps to 15.
 * The CLI runs on the system clock, so the key dates are counted back from today.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { createDb } from '../../store/db.ts';
import { type CliResult, type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const STAFF_CSV = [
  'Staff ID,First Name,Last Name,Work Email,Job Title,Line Manager',
  'LA1,Grace,Mensah,grace.mensah@la.example,SEN Team Manager,',
  'LA2,Karen,Obi,karen.obi@la.example,SEND EHCNA Co-ordinator,grace.mensah@la.example',
  'LA3,Tom,Reed,tom.reed@la.example,EHCNA Coordinator,grace.mensah@la.example',
].join('\n');
const KAREN = 'karen.obi@la.example';
const TOM = 'tom.reed@la.example';
const DAY = /\w{3} \d{1,2} \w{3} \d{4}/.source;

const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

describe.each(providers)('send-hub case reassign / history / handover (%s)', (provider) => {
  let session: CliSession | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('hands a case and then a caseload to another officer; the manager reads who held each', async () => {
    session = await cliSession(provider);
    const cli = (...args: string[]): Promise<CliResult> => session!.cli(...args);
    const ok = async (...args: string[]) => {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
      return r.out;
    };
    await ok('demo');
    fs.writeFileSync(path.join(session.dir, 'la-staff.csv'), STAFF_CSV);
    await ok('import', 'arbor-staff', path.join(session.dir, 'la-staff.csv'));
    const opened: Record<string, string> = {
      'EHC-1': isoDaysAgo(40),
      'EHC-2': isoDaysAgo(70),
    };
    for (const [ref, start] of Object.entries(opened))
      await ok(
        'case',
        'open',
        '--student',
        'A123456789012',
        '--kind',
        'EHC_NEEDS_ASSESSMENT',
        '--start',
        start,
        '--owner',
        KAREN,
        '--reference',
        ref,
      );
    // EHC-2 as the migration that began the history left an existing case: its officer then, flagged.
    const dbh = createDb(session.env.DATABASE_URL!);
    try {
      const ehc2 = await dbh.db.case.findFirstOrThrow({
        where: { reference: 'EHC-2' },
        select: { id: true },
      });
      await dbh.db.caseAssignment.updateMany({ where: { caseId: ehc2.id }, data: { beforeHistory: true } });
    } finally {
      await dbh.close();
    }

    // Before: EHC-1's nudges go to Karen.
    await ok('tick');
    const karenBefore = await ok('due', '--owner', KAREN, '--within', '14d');
    expect(karenBefore).toMatch(/case EHC-1 {2}to Karen Obi <karen\.obi@la\.example>/);

    // The handover of one case.
    const handed = await ok('case', 'reassign', 'EHC-1', TOM);
    expect(handed).toContain("Case EHC-1 is now Tom Reed's, from today.");
    expect(handed).toContain(
      'plans issued before today stay counted under the officer who held the case then',
    );
    const nobody = await cli('case', 'reassign', 'EHC-1', 'nobody@la.example');
    expect([nobody.code, nobody.err.trim()]).toEqual([
      2,
      'No active colleague nobody@la.example in your organisation.',
    ]);

    // What the manager reads: who held each case from when to when.
    const h1 = (await ok('case', 'history', 'EHC-1')).trimEnd().split('\n');
    expect(h1[0]).toBe('Case EHC-1 (open): who held it');
    expect(h1[1]).toMatch(
      new RegExp(`^ {2}${formatDate(opened['EHC-1']!)} to ${DAY} {2}Karen Obi <karen\\.obi@la\\.example>$`),
    );
    expect(h1[2]).toMatch(
      new RegExp(`^ {2}from ${DAY} {2}Tom Reed <tom\\.reed@la\\.example> {2}\\(holds it now\\)$`),
    );
    expect(h1).toHaveLength(3);

    // After the next tick the case's nudges go to Tom, and no longer to Karen.
    await ok('tick');
    expect(await ok('due', '--owner', TOM, '--within', '14d')).toMatch(
      /case EHC-1 {2}to Tom Reed <tom\.reed@la\.example>/,
    );
    expect(await ok('due', '--owner', KAREN, '--within', '14d')).not.toContain('case EHC-1 ');

    // Karen leaves: first the list, nothing changed; then with --yes.
    const dry = await ok('case', 'handover', KAREN, TOM);
    expect(dry).toMatch(
      new RegExp(
        `^Karen Obi <karen\\.obi@la\\.example> holds 1 open case; with --yes they go to Tom Reed <tom\\.reed@la\\.example> from today \\(${DAY}\\):\\n {2}EHC-2 +EHC needs assessment, started ${formatDate(opened['EHC-2']!)}\\nNothing changed: run again with --yes to hand them over\\.\\n$`,
      ),
    );
    const applied = await ok('case', 'handover', KAREN, TOM, '--yes');
    expect(applied).toContain("  Case EHC-2 is now Tom Reed's, from today.");
    expect(applied).toContain(
      'Handed 1 of 1 open case of Karen Obi <karen.obi@la.example> to Tom Reed <tom.reed@la.example>, from today.',
    );
    const h2 = (await ok('case', 'history', 'EHC-2')).trimEnd().split('\n');
    expect(h2.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ {2}${formatDate(opened['EHC-2']!)} to ${DAY} {2}Karen Obi <karen\\.obi@la\\.example> {2}\\(before history: held it when the history began; who held it earlier is not known\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^ {2}from ${DAY} {2}Tom Reed <tom\\.reed@la\\.example> {2}\\(holds it now\\)$`),
      ),
    ]);

    // Each handover audited as the CLI's administrator; the child is named nowhere.
    const db2 = createDb(session.env.DATABASE_URL!);
    try {
      const audit = await db2.db.auditEvent.findMany({
        where: { action: 'case.reassigned' },
        select: { actorId: true, actorKind: true, channel: true },
      });
      expect(audit).toEqual([
        { actorId: null, actorKind: 'admin-cli', channel: 'CLI' },
        { actorId: null, actorKind: 'admin-cli', channel: 'CLI' },
      ]);
    } finally {
      await db2.close();
    }
    for (const out of [handed, h1.join('\n'), h2.join('\n'), dry, applied])
      expect(out).not.toMatch(/Amelia|Brook|\(Y\d+\)/);
  }, 900_000);
});
