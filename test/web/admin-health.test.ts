/**
 * The health page's channels (issue 17) read each channel's last delivery and last failure from the
 * database (DeliveryAttempt.platform), not from what this process heard: a message delivered by another
 * replica (its own outbox store and worker, the same database) shows on this hub's page and in /healthz
 * details, with its time; a later failure there makes the channel "Needs attention"; this hub's own
 * deliverer records its channel the same way. The page waits on the figures (refreshed every 2 s), never sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { providers } from '../support/db.ts';
import { HEALTH_TOKEN, healthDetails } from '../support/health.ts';
import {
  type School,
  type SignedInClient,
  seedWebSchool,
  signIn,
  startWebHub,
  type WebHub,
} from '../support/web.ts';

/** The channel row of the health page: name, set up, last success, last failure, state. */
function channelRow(html: string, name: string): string[] {
  const row = new RegExp(`<th scope="row" class="govuk-table__header">${name}</th>([\\s\\S]*?)</tr>`).exec(
    html,
  );
  return [...(row?.[1] ?? '').matchAll(/<td class="govuk-table__cell">([\s\S]*?)<\/td>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

describe.each(providers)('health page channels on %s', (provider) => {
  let w: WebHub;
  let s: School;
  let admin: SignedInClient;

  beforeEach(async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z', env: { METRICS_TOKEN: HEALTH_TOKEN } });
    s = await seedWebSchool(w.hub);
    admin = await signIn(w, 'admin@quarrydene.example');
  });
  afterEach(async () => {
    await w.close();
  });

  /** The page, asked again until its Console row satisfies `until` (figures refresh every 2 s). */
  async function consoleRowUntil(until: (cells: string[]) => boolean): Promise<string[]> {
    let cells: string[] = [];
    await expect
      .poll(
        async () => {
          cells = channelRow(await (await admin.fetch('/app/admin/health')).text(), 'Console');
          return until(cells);
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
    return cells;
  }

  it("shows another replica's delivery and failure, and this hub's own delivery", async () => {
    const before = await consoleRowUntil((c) => c.length === 4);
    expect(before.slice(1)).toEqual(['None yet', 'None', 'OK']);

    // Replica B: its own store and worker on the same database, delivering by the console at 08:40.
    const clockB = new FakeClock('2026-11-24T08:40:00Z');
    const replicaB = new OutboxRepository(w.hub.dbh.db, w.hub.cipher, clockB, provider);
    const send = async (key: string, outcome: 'SENT' | 'FAILED') => {
      await replicaB.enqueue({
        idempotencyKey: key,
        orgId: s.orgId,
        to: { staffId: s.staff.dsl },
        message: message({ kind: 'text', audience: 'private', title: key }),
      });
      const [m] = await replicaB.claim('replica-b', 1, 60_000);
      expect(m?.idempotencyKey).toBe(key);
      const attemptNo = await replicaB.beginAttempt(m!.id, m!.claimToken);
      await replicaB.finishAttempt(m!.id, m!.claimToken, attemptNo!, outcome, {
        state: outcome,
        platform: 'CONSOLE',
        ...(outcome === 'FAILED' ? { error: 'console closed' } : {}),
      });
    };
    await send('replica-b-1', 'SENT');
    const sent = await consoleRowUntil((c) => c[1] !== 'None yet');
    expect(sent.slice(1)).toEqual(['24 Nov 2026, 08:40', 'None', 'OK']);
    const details = await healthDetails<{ deliveries: Record<string, unknown> }>(w.base);
    expect(details.body.deliveries).toEqual({
      CONSOLE: { lastSentAt: '2026-11-24T08:40:00.000Z', lastFailedAt: null, lastFailure: null },
    });

    // Replica B fails at 08:50, after its last delivery: the channel needs attention on this hub's page.
    clockB.set('2026-11-24T08:50:00Z');
    await send('replica-b-2', 'FAILED');
    const failed = await consoleRowUntil((c) => c[2] !== 'None');
    expect(failed.slice(1)).toEqual(['24 Nov 2026, 08:40', '24 Nov 2026, 08:50 (failed)', 'Needs attention']);

    // This hub's own deliverer, at 09:00: the console delivery is recorded by channel too.
    await w.hub.outbox.enqueue({
      idempotencyKey: 'hub-a-1',
      orgId: s.orgId,
      to: { staffId: s.staff.dsl },
      message: message({ kind: 'text', audience: 'private', title: 'hub-a-1' }),
    });
    await w.hub.deliverer.drainAll();
    const recovered = await consoleRowUntil((c) => c[1] === '24 Nov 2026, 09:00');
    expect(recovered.slice(1)).toEqual(['24 Nov 2026, 09:00', '24 Nov 2026, 08:50 (failed)', 'OK']);
  });
});
