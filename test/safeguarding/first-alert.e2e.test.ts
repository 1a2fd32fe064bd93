/**
 * Issue 13, points 1 and 4, on both providers, with a fake clock:
 * - A process that does not deliver (as `send-hub import`: no channel loaded) raises a concern; it judges
 *   nobody, queues the first step, and tells no admin anything. The hub that sends decides, as it sends:
 *   a DSL no channel reaches is reported to the admins then (never to herself or himself), and the
 *   deputies have it in the same delivery pass.
 * - On the digest day the DSL, the deputies and the head get the unacknowledged concerns (content-free);
 *   nobody else does, and once it is acknowledged nobody does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../app/container.ts';
import { safeguardingModule, safeguardingOf } from '../../app/safeguarding/module.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { DeliveryTarget } from '../../core/ports.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import {
  CONCERN_TEXT,
  IdentityOnlyChannel,
  importProcess,
  PUPIL,
  type School,
  SECRET_STRINGS,
  seedSchool,
} from './support.ts';

/** Teams as it answers for removed accounts: reaches everyone until a send says "no such user". */
class GoneForSome extends IdentityOnlyChannel {
  readonly gone = new Set<string>();
  override canReach(target: DeliveryTarget): boolean {
    return target.kind === 'person';
  }
  override async send(target: DeliveryTarget, m: OutgoingMessage, meta: { idempotencyKey: string }) {
    if (target.kind === 'person' && this.gone.has(target.staffId))
      return { outcome: 'not_found' as const, error: 'user_not_found' };
    return super.send(target, m, meta);
  }
}

const raiseFrom = (hub: Hub, s: School, externalId: string) =>
  safeguardingOf(hub).service.raise({
    orgId: s.orgId,
    studentId: s.pupil,
    raisedById: null,
    source: 'incident',
    externalId,
    category: 'Safeguarding > Neglect',
    immediateRisk: false,
    text: CONCERN_TEXT,
    actionsTaken: '',
    occurredAt: t0(hub),
    via: 'SYSTEM',
  });
const t0 = (hub: Hub) => hub.clock.now();

describe.each(providers)('the process that sends decides who is reachable, on %s', (provider) => {
  let t: TestHub;
  let other: Hub | undefined;
  afterEach(async () => {
    await other?.dbh.close();
    other = undefined;
    await t.close();
  });

  it('an import process judges nobody; the hub reports an unreachable DSL to the admins (not to the person) and the deputies have it at once', async () => {
    const teams = new GoneForSome('TEAMS');
    t = await startTestHub(provider, {
      modules: [safeguardingModule()],
      channels: [teams],
      env: { CONSOLE_CHANNEL: 'off' },
    });
    const s = await seedSchool(t.hub.dbh.db);
    // The head is also an admin; the platform no longer knows the DSL or the head (only a send tells).
    await t.hub.dbh.db.staff.update({
      where: { id: s.staff.head },
      data: { roles: { create: [{ role: 'ADMIN' }] } },
    });
    teams.gone.add(s.staff.dsl).add(s.staff.head);
    other = await importProcess(t);
    const r = await raiseFrom(other, s, 'CP-1');
    expect(r.created).toBe(true);
    // The import process queued the first step for the DSL and judged nobody: no admin notice, no jump.
    const queued = await t.hub.dbh.db.outboxMessage.findMany({ select: { idempotencyKey: true } });
    expect(queued.map((q) => q.idempotencyKey)).toEqual([`concern:${r.concern.id}:step:0:${s.staff.dsl}`]);
    const c0 = await t.hub.dbh.db.concern.findUniqueOrThrow({ where: { id: r.concern.id } });
    expect(c0.escalationLevel).toBe(1);

    // The hub sends: the DSL cannot be reached, which it alone can tell.
    await t.hub.deliverer.drainAll();
    const toAdmin = teams.sent.filter((m) => m.staffId === s.staff.admin);
    expect(toAdmin.map((m) => m.message.title)).toEqual([
      expect.stringMatching(/route broken: concern C-\w+ could not be delivered to Dana Lead/),
    ]);
    expect(
      teams.sent
        .filter((m) => m.message.kind === 'concern_escalation')
        .map((m) => m.staffId)
        .sort(),
    ).toEqual([s.staff.deputy, s.staff.deputy2].sort());

    // Fifteen minutes on, the head's step: the head cannot be reached either. The other admin is told;
    // the head (an admin) is never told that the head cannot be reached.
    t.clock.advanceMinutes(15);
    await t.tickAndDeliver();
    const keys = (await t.hub.dbh.db.outboxMessage.findMany({ select: { idempotencyKey: true } })).map(
      (q) => q.idempotencyKey,
    );
    expect(keys).toContain(`concern:${r.concern.id}:undelivered:${s.staff.head}:${s.staff.admin}`);
    expect(keys.filter((k) => k.includes(`:${s.staff.head}:${s.staff.head}`))).toEqual([]);
    expect(keys.filter((k) => k.includes(':unreachable:'))).toEqual([]);
    for (const secret of SECRET_STRINGS) expect(JSON.stringify(teams.sent)).not.toContain(secret);
  });
});

describe.each(providers)('unacknowledged concerns in the digest-day message, on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => {
    await t.close();
  });

  it('goes to the DSL, the deputies and the head, content-free, until someone acknowledges', async () => {
    // Monday 23 November 2026, before the 08:00 digest time.
    t = await startTestHub(provider, { now: '2026-11-23T07:00:00Z', modules: [safeguardingModule()] });
    const s = await seedSchool(t.hub.dbh.db);
    const r = await raiseFrom(t.hub, s, 'CP-2');
    await t.tickAndDeliver();
    const digests = () => t.console.transcript().filter((m) => m.message.kind === 'digest');
    expect(digests()).toEqual([]);
    t.clock.set('2026-11-23T08:05:00Z');
    await t.tickAndDeliver();
    expect(
      digests()
        .map((m) => m.staffId)
        .sort(),
    ).toEqual([s.staff.dsl, s.staff.deputy, s.staff.deputy2, s.staff.head].sort());
    const text = JSON.stringify(digests()[0]!.message);
    expect(text).toMatch(/C-\w{6} · Z\.Q\. \(Y8\) · raised 1 h ago/);
    for (const secret of [...SECRET_STRINGS, 'Neglect', PUPIL.upn]) expect(text).not.toContain(secret);
    // Once a day: the next tick sends nothing more.
    await t.tickAndDeliver();
    expect(digests()).toHaveLength(4);

    // Acknowledged: next digest day, nobody is shown it.
    const dsl = (await t.hub.staff.actorForStaff(s.staff.dsl))!;
    await safeguardingOf(t.hub).service.acknowledge(dsl, r.concern.id, 'CONSOLE', false);
    t.clock.set('2026-11-30T08:05:00Z');
    await t.tickAndDeliver();
    expect(digests()).toHaveLength(4);
  });
});
