/**
 * Issue 7 end to end, the escalation ladder across failures: a restart in the middle, a crash inside a
 * send, and a burst of concurrent concerns, on SQLite and PostgreSQL (the ladder itself:
 * escalation.e2e.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { providers } from '../support/db.ts';
import type { TestHub } from '../support/hub.ts';
import { escalations, privacyAcrossThisFile, raise, schoolHubEach } from './escalation-support.ts';
import { CONCERN_TEXT, crash, reopen, type School } from './support.ts';

describe.each(providers)('safeguarding escalation on %s', (provider) => {
  let t: TestHub;
  let s: School;
  schoolHubEach(provider, (h) => {
    ({ t, s } = h);
  });

  it('a restart in the middle loses nothing and sends nothing twice', async () => {
    await raise(t, s);
    // Crash after the commit, before any delivery.
    await crash(t);
    const h2 = await reopen(t, t.clock);
    await h2.tickAndDeliver();
    expect(
      h2.console
        .transcript()
        .filter((m) => m.message.kind === 'concern_escalation')
        .map((m) => m.staffId),
    ).toEqual([s.staff.dsl]);
    t.clock.advanceMinutes(15);
    // Two workers tick at the same moment: the step is taken once.
    await Promise.all([h2.hub.scheduler.tick(), safeguardingOf(h2.hub).service.tick(t.clock.now())]);
    await h2.hub.deliverer.drainAll();
    await h2.close();
    const h3 = await reopen(t, t.clock);
    await h3.tickAndDeliver();
    await h3.tickAndDeliver();
    const keys = (
      await h3.hub.dbh.db.outboxMessage.findMany({
        where: { state: 'SENT' },
        select: { idempotencyKey: true },
      })
    ).map((k) => k.idempotencyKey.replace(/:[^:]+$/, '').replace(/^concern:[^:]+:/, ''));
    expect(keys.sort()).toEqual(['step:0', 'step:1', 'step:1']);
    const c = (await h3.hub.dbh.db.concern.findFirst())!;
    expect(c.escalationLevel).toBe(2);
    expect((await h3.hub.audit.verify()).ok).toBe(true);
    await h3.close();
    // Let t.close() drop the database.
    t.hub.dbh.close = async () => {};
  });

  it('a crash after the channel took the DSL message but before it was recorded: not sent again, nothing lost', async () => {
    await raise(t, s);
    // The process dies inside the send: the console has shown (and journalled) the message, the outbox
    // row is still SENDING under this worker's lease.
    const send = t.console.send.bind(t.console);
    let handed = 0;
    t.console.send = async (target, m, meta) => {
      await send(target, m, meta);
      handed++;
      return new Promise<never>(() => {});
    };
    void t.hub.deliverer.drainAll();
    await vi.waitFor(() => expect(handed).toBe(1));
    t.console.close();
    await t.hub.scheduler.stop();
    await t.hub.dbh.close();
    // Nothing graceful happens after a crash (and the hung send must not hold up t.close()).
    t.hub.deliverer.stop = async () => {};
    t.hub.dbh.close = async () => {};
    expect(escalations(t).map((m) => m.staffId)).toEqual([s.staff.dsl]);

    const h2 = await reopen(t, t.clock);
    try {
      // Before the dead worker's lease runs out nobody touches the message; after it, the new process
      // finds it delivered (the console's journal) and records it without showing it again.
      await h2.tickAndDeliver();
      t.clock.advanceMinutes(2);
      await h2.tickAndDeliver();
      expect(h2.console.transcript().filter((m) => m.message.kind === 'concern_escalation')).toEqual([]);
      const rows = await h2.hub.dbh.db.outboxMessage.findMany({
        select: { idempotencyKey: true, state: true, lastError: true },
      });
      expect(rows).toEqual([
        {
          idempotencyKey: expect.stringMatching(/:step:0:/),
          state: 'SENT',
          lastError: 'reconciled after restart',
        },
      ]);
      // Nothing lost: the ladder goes on from where it was.
      t.clock.advanceMinutes(13);
      await h2.tickAndDeliver();
      expect(
        h2.console
          .transcript()
          .filter((m) => m.message.kind === 'concern_escalation')
          .map((m) => m.staffId)
          .sort(),
      ).toEqual([s.staff.deputy, s.staff.deputy2].sort());
    } finally {
      await h2.close();
    }
  });

  it('a burst of concurrent concerns is stored and routed without loss (no pool deadlock on PostgreSQL)', async () => {
    const { service } = safeguardingOf(t.hub);
    const n = 24;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        service.raise({
          orgId: s.orgId,
          studentId: i % 2 ? s.pupil : s.pupil2,
          raisedById: s.staff.teacher,
          source: 'chat',
          externalId: null,
          category: 'Neglect',
          immediateRisk: i % 3 === 0,
          text: CONCERN_TEXT,
          actionsTaken: '',
          occurredAt: t.clock.now(),
          via: 'CONSOLE',
        }),
      ),
    );
    expect(results.every((r) => r.created && r.sentTo.length === 1)).toBe(true);
    await t.tickAndDeliver();
    expect(escalations(t)).toHaveLength(n);
    expect(new Set(escalations(t).map((m) => m.message.subject?.id)).size).toBe(n);
    expect((await t.hub.audit.verify()).ok).toBe(true);
  });
});

privacyAcrossThisFile(false);
