/**
 * Audit finding 2 (who gets a TAC note): the summary goes to the staff the notes record as attending, the
 * action owners and the child's case officer, not to a calendar invitee the notes show absent; the
 * hospital ECC who attended, owns the action and is the health-needs case's officer may read (`tac show`
 * in the console) and export the notes. Someone with no part still cannot. Both databases.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { exportTacNote } from '../../app/meetings/tac-export.ts';
import type { Actor } from '../../core/ports.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type School, seedSchool, UPN } from './support.ts';

describe.each(providers)('TAC note recipients on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let sian: Actor;
  let ellie: Actor;
  let meetingId: string;

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedSchool(t.hub);
    const db = t.hub.dbh.db;
    const mk = async (displayName: string, email: string, role: 'STAFF' | 'CARE_COORDINATOR' | 'DSL') => {
      const row = await db.staff.create({
        data: { orgId: s.orgId, displayName, email, roles: { create: [{ role }] } },
      });
      return (await t.hub.staff.actorForStaff(row.id))!;
    };
    ellie = await mk('Ellie Marsh', 'ellie@school.example', 'STAFF'); // invited, recorded absent
    sian = await mk('Sian Pryce', 's.pryce@hhts.example', 'CARE_COORDINATOR');
    // The hospital ECC is the named officer of the child's health-needs case.
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    await svc.openCase({
      orgId: s.orgId,
      studentId: s.studentId,
      kind: 'HEALTH_NEEDS',
      startDate: '2026-11-16',
      ownerId: sian.staffId,
    });
    // The calendar invites the SENDCo and Ellie, not Sian.
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([
        {
          uid: 'tac-hn@school.example',
          summary: `TAC ${UPN}`,
          start: '20261123T140000',
          end: '20261123T150000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ellie@school.example'],
        },
      ]),
    });
    meetingId = (await db.meeting.findFirstOrThrow({ select: { id: true } })).id;
  });
  afterEach(async () => {
    await t.close();
  });

  it('the summary goes to who attended, the action owner and the case officer; they may read and export', async () => {
    const r = await t.hub.forms.submit(
      s.olive,
      {
        formId: 'tac_notes',
        context: { meetingId },
        values: {
          attendees: 'Olive Organiser SENDCo; Sian Pryce ECC HHTS; Mum',
          childVoice: 'Misses her friends.',
          workingWell: 'Ward lessons in the mornings.',
          worries: 'Tired after treatment.',
          'actions.0.what': 'Send maths pack to ward',
          'actions.0.owner': 's.pryce@hhts.example',
          'actions.0.due': '2026-12-11',
          consent: 'given',
        },
        intent: 'submit',
      },
      'CONSOLE',
    );
    expect(r).toMatchObject({ ok: true });
    expect(JSON.stringify(r)).toContain('summary sent privately to 2 colleagues');
    const summaries = await t.hub.dbh.db.outboxMessage.findMany({
      where: { idempotencyKey: { startsWith: 'tac-summary:' } },
      select: { recipientId: true },
    });
    expect(new Set(summaries.map((m) => m.recipientId))).toEqual(new Set([s.olive.staffId, sian.staffId]));

    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow({ select: { id: true } });
    // Sian, in the console: `tac show` reads the notes (before: "your role does not allow you").
    const shown = JSON.stringify(await t.hub.commands.run(`tac show ${note.id}`, sian, 'CONSOLE'));
    expect(shown).not.toContain('does not allow');
    expect(shown).toContain('Send maths pack to ward');
    // `send-hub tac export <id> --as s.pryce@...` runs this function.
    const md = (await exportTacNote(t.hub, s.service, sian, note.id, 'md')).toString('utf8');
    expect(md).toContain('Tired after treatment.');
    // Least privilege otherwise unchanged: a colleague with no part in the meeting still cannot.
    const otto = JSON.stringify(await t.hub.commands.run(`tac show ${note.id}`, s.outsider, 'CONSOLE'));
    expect(otto).toContain('does not allow you to read these notes');
  });

  it('an invitee the notes record as absent cannot read, history or export them, is told who can share them, and is audited', async () => {
    const r = await t.hub.forms.submit(
      s.olive,
      {
        formId: 'tac_notes',
        context: { meetingId },
        values: {
          attendees: 'Olive Organiser SENDCo; Mum',
          childVoice: 'Misses her friends.',
          workingWell: 'Ward lessons.',
          worries: 'Tired after treatment.',
          consent: 'given',
        },
        intent: 'submit',
      },
      'CONSOLE',
    );
    expect(r).toMatchObject({ ok: true });
    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow({ select: { id: true } });
    // Ellie, in the console (before: both commands showed her the notes).
    for (const cmd of [`tac show ${note.id}`, `tac history ${note.id}`]) {
      const out = await t.hub.commands.run(cmd, ellie, 'CONSOLE');
      const text = JSON.stringify(out);
      expect(text, cmd).not.toContain('Tired after treatment.');
      expect(text, cmd).not.toContain('Versions');
      expect(out.kind === 'message' && out.message.title, cmd).toBe(
        'You cannot read these notes: they record you as absent from the meeting.',
      );
      expect(out.kind === 'message' && out.message.text, cmd).toContain(
        'Ask Olive Organiser, who took the notes, or the SENDCo to share what you need.',
      );
    }
    // `send-hub tac export <id> --as ellie@...` runs this function (before: it wrote the document).
    await expect(exportTacNote(t.hub, s.service, ellie, note.id, 'md')).rejects.toThrow(
      'You cannot export these notes: they record you as absent from the meeting. You were invited',
    );
    const denied = await t.hub.dbh.db.auditEvent.findMany({
      where: { action: 'access.denied', actorId: ellie.staffId, subjectId: note.id },
    });
    expect(denied).toHaveLength(3);
    for (const d of denied) expect(JSON.stringify(d.details)).toContain('recorded_absent');
    // The note-taker (and SENDCo) still reads them; Sian, now no part of the note or the case, does not.
    expect(JSON.stringify(await t.hub.commands.run(`tac show ${note.id}`, s.olive, 'CONSOLE'))).toContain(
      'Tired after treatment.',
    );
  });

  it('the DSL reads the notes once the child has a child-protection case, not before', async () => {
    const dsl = (await t.hub.staff.actorForStaff(
      (
        await t.hub.dbh.db.staff.create({
          data: {
            orgId: s.orgId,
            displayName: 'Dee Lead',
            email: 'dsl@school.example',
            roles: { create: [{ role: 'DSL' }] },
          },
        })
      ).id,
    ))!;
    await t.hub.forms.submit(
      s.olive,
      {
        formId: 'tac_notes',
        context: { meetingId },
        values: {
          attendees: 'Olive Organiser',
          childVoice: 'Quiet.',
          workingWell: 'Breakfast club.',
          worries: 'Bruise on arm.',
          consent: 'given',
        },
        intent: 'submit',
      },
      'CONSOLE',
    );
    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow({ select: { id: true } });
    const before = JSON.stringify(await t.hub.commands.run(`tac show ${note.id}`, dsl, 'CONSOLE'));
    expect(before).toContain('does not allow you to read these notes');
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    await svc.openCase({
      orgId: s.orgId,
      studentId: s.studentId,
      kind: 'CHILD_PROTECTION',
      startDate: '2026-11-20',
      ownerId: s.olive.staffId,
    });
    const after = JSON.stringify(await t.hub.commands.run(`tac show ${note.id}`, dsl, 'CONSOLE'));
    expect(after).toContain('Bruise on arm.');
  });
});
