/**
 * TAC records: who may read and write them (core/access/policy.ts), amendments with history, encryption at
 * rest, the export for people outside the hub (function and the real `send-hub tac export` process), and
 * the advice nudges before an EHCP annual review (SEND Regulations 2014 reg 20(4)).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dueLineFormatter } from '../../app/deadlines/due-lines.ts';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { exportTacNote } from '../../app/meetings/tac-export.ts';
import { ForbiddenError } from '../../core/errors.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type School, seedSchool, shown, UPN } from './support.ts';

const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TEST_KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

const notes = {
  attendees: 'Olive Organiser\nKen Keyworker',
  childVoice: 'Likes the nurture group.',
  workingWell: 'Settled mornings.',
  worries: 'Late pick-ups.',
  'actions.0.what': 'Call home about pick-ups',
  'actions.0.owner': 'ken@school.example',
  'actions.0.due': '2026-12-01',
  consent: 'given',
};

describe.each(providers)('TAC records on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let meetingId: string;

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedSchool(t.hub);
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([
        {
          uid: 'tac-r@school.example',
          summary: `TAC ${UPN}`,
          start: '20261123T140000',
          end: '20261123T150000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ken@school.example'],
        },
      ]),
    });
    meetingId = (await t.hub.dbh.db.meeting.findFirstOrThrow({ select: { id: true } })).id;
  });
  afterEach(async () => {
    await t.close();
  });

  const submit = (who: School['olive'], values: Record<string, string>) =>
    t.hub.forms.submit(
      who,
      { formId: 'tac_notes', context: { meetingId }, values, intent: 'submit' },
      'CONSOLE',
    );

  it('`due` names a TAC action by its task, due date and child (chat and the CLI line)', async () => {
    expect(await submit(s.olive, notes)).toMatchObject({ ok: true });
    // `due` (chat, and the CLI's line): the action's nudge names its task, due date and child, not
    // "action nudge · tac action".
    const due = await t.hub.commands.run('due 30', s.ken, 'CONSOLE');
    const task = 'TAC action · Call home about pick-ups · due Tue 1 Dec 2026 · A.B. (Y7)';
    expect(due.kind === 'message' && due.message.sections[0]?.lines).toContainEqual(
      expect.stringMatching(new RegExp(`: ${escapeRe(task)}$`)),
    );
    const rows = await t.hub.reminders.upcoming(s.orgId, new Date('2026-12-24T00:00:00Z'), s.ken.staffId);
    const cli = await dueLineFormatter(t.hub, rows);
    expect(rows.map((r) => cli.reminderCli(r)).join('\n')).toContain(
      `TAC action      Call home about pick-ups · due Tue 1 Dec 2026 · A.B. (Y7)  to Ken`,
    );
  });

  it('an action given a colleague and an owner outside the hub keeps both; only the colleague is nudged', async () => {
    const both = { ...notes, 'actions.0.ownerOther': 'Social worker (CSC)' };
    expect(await submit(s.olive, both)).toMatchObject({ ok: true });
    const db = t.hub.dbh.db;
    expect(await db.tacAction.findFirstOrThrow()).toMatchObject({
      ownerId: s.ken.staffId,
      ownerName: 'Social worker (CSC)',
    });
    const note = await db.tacNote.findFirstOrThrow();
    // The notes sent to people name both owners (the summary, `tac show`, the export).
    const summary = await t.hub.commands.run(`tac show ${note.id}`, s.olive, 'CONSOLE');
    expect(JSON.stringify(summary)).toContain(
      'Call home about pick-ups (owner: Ken Keyworker and Social worker (CSC); due 2026-12-01)',
    );
    const md = (await exportTacNote(t.hub, s.service, s.olive, note.id, 'md')).toString('utf8');
    expect(md).toContain(
      '| Call home about pick-ups | Ken Keyworker and Social worker (CSC) | 2026-12-01 | open |',
    );
    // The nudges go to the colleague only.
    const nudged = await db.reminder.findMany({
      where: { kind: 'action_nudge' },
      select: { recipientId: true },
    });
    expect(nudged.length).toBeGreaterThan(0);
    expect(new Set(nudged.map((r) => r.recipientId))).toEqual(new Set([s.ken.staffId]));
    // Amending pre-fills both owners, and keeps both.
    const form = await t.hub.forms.open('tac_notes', s.olive, { meetingId });
    expect(JSON.stringify(form)).toContain('Social worker (CSC)');
    expect(await submit(s.olive, { ...both, worries: 'Late pick-ups twice a week.' })).toMatchObject({
      ok: true,
    });
    expect(await db.tacAction.findFirstOrThrow()).toMatchObject({
      ownerId: s.ken.staffId,
      ownerName: 'Social worker (CSC)',
    });
  });

  it('least privilege, amendments with history, encryption at rest, and the export', async () => {
    const db = t.hub.dbh.db;
    // Otto did not attend and holds no SENDCo role: he can neither open, write, nor read the notes.
    await expect(t.hub.forms.open('tac_notes', s.outsider, { meetingId })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await submit(s.outsider, notes)).toMatchObject({ ok: false });
    expect(await submit(s.olive, notes)).toMatchObject({ ok: true });
    const note = await db.tacNote.findFirstOrThrow();
    const denied = await t.hub.commands.run(`tac show ${note.id}`, s.outsider, 'CONSOLE');
    expect(denied.kind === 'message' && denied.message.title).toMatch(/^Sorry/);
    expect(
      await db.auditEvent.count({ where: { action: 'access.denied', actorId: s.outsider.staffId } }),
    ).toBe(2);

    // Ken attended: he reads the summary and his actions, but amending is the note-taker's (or SENDCo's).
    const shownToKen = await t.hub.commands.run(`tac show ${note.id}`, s.ken, 'CONSOLE');
    expect(shownToKen.kind === 'message' && shownToKen.message.kind).toBe('tac_summary');
    const mine = await t.hub.commands.run('tac actions', s.ken, 'CONSOLE');
    // Issue 14 point 3: the action names the child (initials, year) and the meeting (type, date).
    expect(mine.kind === 'message' && mine.message.sections[0]?.lines).toEqual([
      `Call home about pick-ups · due Tue 1 Dec 2026 · A.B. (Y7) · Team Around the Child meeting Mon 23 Nov 2026 [note ${note.id}]`,
    ]);
    expect(await submit(s.ken, { ...notes, worries: 'Changed by Ken' })).toMatchObject({ ok: false });

    // Olive amends the worries: version 2, history kept, the amended summary goes out again.
    t.clock.set('2026-11-25T10:00:00Z');
    const actionId = (await db.tacAction.findFirstOrThrow()).id;
    expect(await submit(s.olive, { ...notes, worries: 'Late pick-ups twice a week.' })).toMatchObject({
      ok: true,
      reply: expect.stringContaining('Notes amended (version 2)'),
    });
    expect((await db.tacAction.findFirstOrThrow()).id).toBe(actionId);
    const history = await t.hub.commands.run(`tac history ${note.id}`, s.olive, 'CONSOLE');
    expect(history.kind === 'message' && history.message.sections[0]?.lines).toEqual([
      'v1 2026-11-24T09:00:00.000Z by Olive Organiser: submitted',
      'v2 2026-11-25T10:00:00.000Z by Olive Organiser: amended: worries',
    ]);
    await t.tickAndDeliver();
    expect(shown(t, s.ken.staffId, 'tac_summary').map((m) => m.message.title)).toEqual([
      'Team Around the Child meeting notes for A.B. (Y7): 2026-11-23',
      'Team Around the Child meeting notes for A.B. (Y7): 2026-11-23 (amended, v2)',
    ]);

    // Nothing readable at rest.
    const raw = JSON.stringify([
      await db.tacNote.findMany(),
      await db.tacNoteRevision.findMany(),
      await db.tacAction.findMany(),
      await db.auditEvent.findMany(),
    ]);
    for (const plain of ['nurture', 'pick-ups', 'Call home']) expect(raw).not.toContain(plain);

    // Export for people outside the hub: Ken (attendee) may; Otto may not. Both are audited.
    const md = (await exportTacNote(t.hub, s.service, s.ken, note.id, 'md')).toString('utf8');
    expect(md).toContain('**Child or young person:** Amelia Brown');
    expect(md).toContain('| Call home about pick-ups | Ken Keyworker | 2026-12-01 | open |');
    expect(md).toContain('Late pick-ups twice a week.');
    const pdf = await exportTacNote(t.hub, s.service, s.ken, note.id, 'pdf');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await expect(exportTacNote(t.hub, s.service, s.outsider, note.id, 'md')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await db.auditEvent.count({ where: { action: 'tac.exported', subjectId: note.id } })).toBe(2);

    // The real command line, on the same database.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-tac-'));
    const run = (as: string, out: string) =>
      spawnSync(
        process.execPath,
        [
          path.resolve('bin/send-hub.mjs'),
          'tac',
          'export',
          note.id,
          '--format',
          'md',
          '--out',
          out,
          '--as',
          as,
        ],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DATA_DIR: dir,
            DATABASE_URL: t.url,
            SEND_HUB_ENCRYPTION_KEY: TEST_KEY,
            LOG_LEVEL: 'error',
          },
          encoding: 'utf8',
        },
      );
    const ok = run('ken@school.example', path.join(dir, 'notes.md'));
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'notes.md'), 'utf8')).toContain('Amelia Brown');
    const no = run('otto@school.example', path.join(dir, 'no.md'));
    expect(no.status).toBe(1);
    expect(no.stderr).toContain('does not allow you to export');
    expect(fs.existsSync(path.join(dir, 'no.md'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks staff invitees for their advice before the two-week deadline of an EHCP annual review', async () => {
    t.clock.set('2026-12-21T09:00:00Z');
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'reviews',
      text: buildIcs([
        {
          uid: 'ar@school.example',
          summary: `EHCP annual review ${UPN}`,
          start: '20270120T100000',
          end: '20270120T113000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ken@school.example', 'ep@la.example'],
        },
      ]),
    });
    const rows = await t.hub.dbh.db.reminder.findMany({
      where: { kind: 'report_due', status: 'PENDING' },
      select: { recipientId: true, dueAt: true },
    });
    // Circulate by Wed 6 Jan 2027 (14 days before, reg 20(4)). Ken is asked 5 working days before that
    // (over New Year's Day: Tue 29 Dec), Olive, the organiser, is reminded to circulate on the 6th.
    const byWho = Object.fromEntries(rows.map((r) => [r.recipientId, r.dueAt.toISOString()]));
    expect(byWho).toEqual({
      [s.ken.staffId]: t.hub.holidays.has('2027-01-01')
        ? '2026-12-29T09:00:00.000Z'
        : '2026-12-30T09:00:00.000Z',
      [s.olive.staffId]: '2027-01-06T09:00:00.000Z',
    });
    t.clock.set(byWho[s.ken.staffId]!);
    await t.tickAndDeliver();
    const [ask] = shown(t, s.ken.staffId, 'report_due');
    expect(ask?.message.title).toBe(
      'Your advice for the EHCP annual review for A.B. (Y7) is due by Wed 6 Jan 2027',
    );
    expect(ask?.message.text).toContain('reg 20(4)');
  });
});
