/**
 * Shared set-up of the outbox tests (outbox.test.ts, outbox-claims.test.ts): a fresh database per test,
 * a fake clock at Tue 24 Nov 2026 10:00 UTC, the outbox, one member of staff, and a deliverer over a
 * scripted channel (its answers are set per test; it records what it sent).
 */
import { afterEach, beforeEach } from 'vitest';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget } from '../../core/ports.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import { Deliverer } from '../../scheduler/deliver.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import type { Provider } from '../../store/db.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { StaffRepository } from '../../store/staff-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

/** A channel that records sends and answers with scripted results. */
export class ScriptedChannel implements ChannelPort {
  readonly platform = 'CONSOLE' as const;
  sent: { key: string; to: string; title: string }[] = [];
  script: DeliveryResult[] = [];
  canReach(): boolean {
    return true;
  }
  async send(
    target: DeliveryTarget,
    m: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    const r = this.script.shift() ?? { outcome: 'sent' };
    if (r.outcome === 'sent')
      this.sent.push({
        key: meta.idempotencyKey,
        to: target.kind === 'person' ? target.staffId : '',
        title: m.title,
      });
    return r;
  }
  async reconcile(key: string) {
    return this.sent.some((s) => s.key === key) ? ('delivered' as const) : ('not_delivered' as const);
  }
}

export const silent = { info() {}, warn() {}, error() {} };
export const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

export const msg = (title: string) => message({ kind: 'text', audience: 'private', title });

export interface OutboxFixture {
  t: TestDb;
  clock: FakeClock;
  outbox: OutboxRepository;
  channel: ScriptedChannel;
  staffId: string;
  orgId: string;
  /** A deliverer (random 0.5, lease 60 s) as worker `worker`, through `through` (the scripted channel). */
  deliverer(worker?: string, through?: ChannelPort): Deliverer;
}

/** Before each test of the calling describe: a fresh fixture, handed to `set`; after each: dropped. */
export function outboxEach(provider: Provider, set: (f: OutboxFixture) => void): void {
  let t: TestDb | undefined;
  beforeEach(async () => {
    const db = await createTestDb(provider);
    t = db;
    const clock = new FakeClock('2026-11-24T10:00:00Z');
    const outbox = new OutboxRepository(db.db, cipher, clock, provider);
    const channel = new ScriptedChannel();
    const org = await db.db.organisation.create({ data: { name: 'Test school' } });
    const orgId = org.id;
    const staffId = (
      await db.db.staff.create({ data: { orgId, displayName: 'Sam Officer', email: 'sam@school.example' } })
    ).id;
    const deliverer = (worker = 'w1', through: ChannelPort = channel) =>
      new Deliverer(
        outbox,
        new StaffRepository(db.db),
        new ChannelRouter([through]),
        new OrgRepository(db.db),
        clock,
        silent,
        {
          workerId: worker,
          random: () => 0.5,
          leaseMs: 60_000,
        },
      );
    set({ t: db, clock, outbox, channel, staffId, orgId, deliverer });
  });
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });
}
