/**
 * Chat `case history <ref>`: who held a case from when to when, for its officer now, their line manager (or
 * a SEN team manager, a SENDCo, an admin); another officer, even one who held it before, is refused (and it is audited). Northshire LA:
 * Maya manages Owen and Olive. Owen's assessment (request Mon 2 Nov 2026) is
 * handed by Maya to Olive on Tue 1 Dec and back to Owen on Mon 7 Dec; the child is never named.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedLa } from './la-support.ts';

const text = (r: { kind: string; message?: { title?: string; text?: string } }) =>
  r.kind === 'message' ? `${r.message?.title ?? ''}\n${r.message?.text ?? ''}` : '';

describe.each(providers)('chat case history (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows who held the case from when to when, to its officer and their manager only', async () => {
    t = await startTestHub(provider, { now: '2026-12-01T09:00:00Z', modules: [deadlinesModule()] });
    const { org, manager, officer, student } = await seedLa(t);
    const db = t.hub.dbh.db;
    const olive = await db.staff.create({
      data: {
        orgId: org.id,
        displayName: 'Olive Other',
        email: 'olive@la.example',
        lineManagerId: manager.id,
        roles: { create: [{ role: 'COORDINATOR' }] },
      },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    await svc.openCase({
      orgId: org.id,
      studentId: student.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-11-02',
      ownerId: officer.id,
      reference: 'EHC-7',
    });
    const as = async (id: string) => (await t!.hub.staff.actorForStaff(id))!;
    const run = async (line: string, who: string) =>
      text(await t!.hub.commands.run(line, await as(who), 'CONSOLE'));

    expect(await run('case reassign EHC-7 olive@la.example', manager.id)).toContain(
      "Case EHC-7 is now Olive Other's",
    );
    t.clock.set('2026-12-07T09:00:00Z');
    expect(await run('case reassign EHC-7 owen@la.example', manager.id)).toContain(
      "Case EHC-7 is now Owen Officer's",
    );

    const expected = [
      'Case EHC-7: who held it',
      'Mon 2 Nov 2026 to Mon 30 Nov 2026  Owen Officer',
      'Tue 1 Dec 2026 to Sun 6 Dec 2026  Olive Other',
      'from Mon 7 Dec 2026  Owen Officer  (holds it now)',
    ].join('\n');
    expect(await run('case history EHC-7', manager.id)).toBe(expected);
    expect(await run('case history EHC-7', officer.id)).toBe(expected);
    // Olive held it once but neither holds nor manages it now.
    expect(await run('case history EHC-7', olive.id)).toContain(
      "does not allow you to read this case's officers",
    );
    expect(await db.auditEvent.count({ where: { action: 'access.denied', actorId: olive.id } })).toBe(1);
    expect(await run('case history EHC-99', manager.id)).toContain('No case EHC-99 in your organisation.');
    expect(await run('case history', manager.id)).toContain('Usage: case reassign');
    expect(await run('case history EHC-7', manager.id)).not.toMatch(/Zebedee|Quillfeather/);
  }, 120_000);
});
