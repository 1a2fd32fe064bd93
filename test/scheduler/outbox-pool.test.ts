/**
 * PostgreSQL: the delivery loop has its own small pool (store/outbox-pool.ts), so writers holding every
 * connection of the shared pool (a burst of concerns, each an open transaction) cannot stop a claim, an
 * attempt's begin or its finish (issue 18, one DSL's burst). SQLite: one client, nothing added.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { createDb } from '../../store/db.ts';
import { withDeliveryPool } from '../../store/outbox-pool.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { freshDatabaseUrl, PG_ADMIN_URL, providers } from '../support/db.ts';

const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

describe.each(providers)('delivery pool on %s', (provider) => {
  let url: string;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    ({ url, drop } = await freshDatabaseUrl(provider));
  });
  afterEach(async () => {
    await drop();
  });

  it.runIf(provider === 'sqlite')('SQLite delivers with the hub’s own client', async () => {
    const shared = createDb(url);
    const { dbh, deliveryDb } = withDeliveryPool(shared);
    expect(dbh).toBe(shared);
    expect(deliveryDb).toBe(shared.db);
    await dbh.close();
  });

  it.runIf(provider === 'postgres')(
    'claims, begins and finishes while writers hold every shared connection; close() ends both pools',
    async () => {
      const { dbh, deliveryDb } = withDeliveryPool(createDb(url, { poolSize: 2 }));
      const clock = new FakeClock('2026-11-24T10:00:00Z');
      const outbox = new OutboxRepository(dbh.db, cipher, clock, 'postgres', deliveryDb);
      const orgId = (await dbh.db.organisation.create({ data: { name: 'Pool school' } })).id;
      const staffId = (
        await dbh.db.staff.create({ data: { orgId, displayName: 'DSL', email: 'dsl@school.example' } })
      ).id;
      for (const k of ['a', 'b'])
        await outbox.enqueue({
          idempotencyKey: k,
          orgId,
          to: { staffId },
          priority: 0,
          message: message({ kind: 'text', audience: 'private', title: k }),
        });
      // Two writers in open transactions: both shared connections are taken until `release`.
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let opened = 0;
      let allOpen!: () => void;
      const bothOpen = new Promise<void>((r) => {
        allOpen = r;
      });
      const writers = [1, 2].map(() =>
        dbh.db.$transaction(
          async (tx) => {
            await tx.organisation.count();
            if (++opened === 2) allOpen();
            await gate;
          },
          { timeout: 60_000, maxWait: 60_000 },
        ),
      );
      await bothOpen;
      // On the shared pool each of these would wait for `release`, which only comes after them.
      const run = await outbox.claim('w', 5, 60_000);
      expect(run.map((m) => m.idempotencyKey)).toEqual(['a', 'b']);
      for (const m of run) {
        const n = await outbox.beginAttempt(m.id, m.claimToken, 60_000);
        expect(n).toBe(1);
        expect(await outbox.finishAttempt(m.id, m.claimToken, 1, 'SENT', { state: 'SENT' })).toBe(true);
      }
      release();
      await Promise.all(writers);
      expect(await dbh.db.outboxMessage.count({ where: { state: 'SENT' } })).toBe(2);

      const database = new URL(url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      const connections = async () =>
        Number(
          (await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [database]))
            .rows[0].n,
        );
      try {
        expect(await connections()).toBeGreaterThanOrEqual(3);
        await dbh.close();
        // pg ends its clients on close; the server sees them go a moment later.
        for (let i = 0; i < 200 && (await connections()) > 0; i++) await admin.query('SELECT pg_sleep(0.01)');
        expect(await connections()).toBe(0);
      } finally {
        await admin.end();
      }
    },
  );
});
