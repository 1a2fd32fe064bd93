import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoSchool } from '../../app/demo/demo-school.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

describe.each(providers)('console channel round trip on %s', (provider) => {
  let t: TestHub;
  beforeEach(async () => {
    // Module-free hub: the foundation alone (features are tested in their own folders).
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [] });
    await loadDemoSchool(t.hub.dbh.db, t.clock.now());
  });
  afterEach(async () => {
    await t.close();
  });

  it('a meeting reminder reaches the console within a minute and `done` is recorded', async () => {
    await t.tickAndDeliver();
    expect(t.console.transcript()).toHaveLength(0);
    t.clock.advance(60_000);
    await t.tickAndDeliver();
    const shown = t.console.transcript();
    expect(shown.map((s) => s.message.kind)).toEqual(['meeting_reminder', 'meeting_reminder']);
    expect(t.consoleOut.text()).toMatch(/Team Around the Child meeting for L\.W\. \(Y3\)/);
    // Initials only: the child's name is not in the message.
    expect(t.consoleOut.text()).not.toMatch(/Layla|Winters/);

    const ref = shown[0]!.ref;
    await t.console.handleLine(`done ${ref}`);
    expect(t.consoleOut.text()).toMatch(new RegExp(`\\[${ref}\\] Done: marked by \\w+`));
    const reminderId = shown[0]!.message.actions[0]!.args.reminderId!;
    const row = await t.hub.dbh.db.reminder.findUniqueOrThrow({ where: { id: reminderId } });
    expect(row.status).toBe('DONE');
    const audit = await t.hub.audit.forSubject('reminder', reminderId);
    expect(audit.map((a) => a.action)).toEqual(['reminder.done']);
    expect(audit[0]!.channel).toBe('CONSOLE');
    expect(await t.hub.audit.verify()).toEqual({ ok: true, count: 1 });
  });

  it('snooze re-arms a reminder, and it comes back when due', async () => {
    const sendco = (await t.hub.staff.byEmail('sendco@elmfield.example'))!;
    await t.hub.reminders.reconcile(
      [{ type: 'task', id: 't1' }],
      [
        {
          dedupeKey: 'task:t1',
          orgId: sendco.orgId,
          kind: 'action_nudge',
          subject: { type: 'task', id: 't1' },
          recipientId: sendco.id,
          dueAt: t.clock.now(),
          message: {
            kind: 'action_nudge',
            audience: 'private',
            title: 'Send the advice request',
            actions: [
              { verb: 'done', label: 'Done' },
              { verb: 'snooze', label: 'Snooze' },
            ],
          },
        },
      ],
    );
    await t.tickAndDeliver();
    const first = t.console.transcript().find((s) => s.message.kind === 'action_nudge')!;
    await t.console.handleLine(`snooze ${first.ref} 1`);
    const reminderId = first.message.actions[0]!.args.reminderId!;
    const row = await t.hub.dbh.db.reminder.findUniqueOrThrow({ where: { id: reminderId } });
    expect(row.status).toBe('PENDING');
    expect(row.dueAt.toISOString()).toBe('2026-11-25T08:00:00.000Z');
    expect(t.consoleOut.text()).toContain(`[${first.ref}] Snoozed by Priya Shah until 2026-11-25`);
    // It comes back the next morning, as a new message (a new outbox key).
    t.clock.set('2026-11-25T08:00:30Z');
    await t.tickAndDeliver();
    expect(t.console.transcript().filter((s) => s.message.kind === 'action_nudge')).toHaveLength(2);
  });

  it('answers `help` and `due`, and never stays silent on unknown text', async () => {
    await t.tickAndDeliver();
    await t.console.handleLine('as sendco@elmfield.example');
    await t.console.handleLine('due 30');
    await t.console.handleLine('what can you do?');
    const out = t.consoleOut.text();
    expect(out).toContain('Acting as Priya Shah.');
    expect(out).toMatch(/Due for you in the next 30 days/);
    expect(out).toMatch(/SEND Hub: what I can do/);
  });

  it('`settings` says who you are, how messages reach you, and the quiet hours', async () => {
    await t.console.handleLine('as dsl@elmfield.example');
    await t.console.handleLine('settings');
    const out = t.consoleOut.text();
    expect(out).toContain('Settings for Tom Reed');
    expect(out).toMatch(/Roles: dsl/);
    expect(out).toMatch(/Messages reach you through: the console/);
    expect(out).toMatch(/Quiet hours \(no nudges\): 18:00–07:30 Europe\/London/);
  });

  it('will not let one person answer another person’s reminder', async () => {
    t.clock.advance(60_000);
    await t.tickAndDeliver();
    const shown = t.console.transcript()[0]!;
    const other = (await t.hub.staff.byEmail('dsl@elmfield.example'))!;
    const actor = (await t.hub.staff.actorForStaff(other.id))!;
    const result = await t.hub.actions.dispatch({
      actor,
      via: 'CONSOLE',
      verb: 'done',
      subject: shown.message.subject!,
      args: shown.message.actions[0]!.args,
    });
    expect(result.reply?.title).toMatch(/Only the person this reminder was sent to/);
    const denied = await t.hub.dbh.db.auditEvent.findMany({ where: { action: 'access.denied' } });
    expect(denied).toHaveLength(1);
  });
});
