/**
 * Delivery throughput against a local fake Teams (bench/support/fake-platform.ts) that enforces Teams'
 * published limits and answers 429 + Retry-After when they are exceeded. A backlog for many staff in
 * one tenant: the tenant limit (50 sends per second per app per tenant) is the binding one, so the
 * figure is achieved sends per second / 50. Goal >= 0.9 with zero messages lost or duplicated.
 * The hub runs as `npm start` does: SQLite, one process, its in-process limiter, two delivery loops.
 * The fake platform runs in a child process of its own, as Teams is not inside the hub: in one process a
 * busy turn of the hub's event loop delayed the platform's own arrival timestamps, so requests sent apart
 * were counted as if they had arrived together.
 */
import { TEAMS_PER_TENANT } from '../core/delivery/platform-rate-limits.ts';
import type { Figure } from './figure.ts';
import { benchHub, freshDb, scaled } from './support/bench-hub.ts';
import { HttpPlatformChannel } from './support/http-platform-channel.ts';
import { startPlatformProcess } from './support/platform-process.ts';
import { seedOutbox } from './support/seed-outbox.ts';

export const description =
  'Delivery rate vs the Teams tenant limit (50/s) on a fake platform; lost and duplicated';

export async function run(): Promise<Figure[]> {
  // A digest run: one message for each of many staff in one tenant (order per person is proven in tests).
  const people = scaled(600, 50);
  const perPerson = 1;
  // The platform runs in its own process, as Teams does: the hub's work cannot skew its clock.
  const platform = await startPlatformProcess({ latencyMs: 5 });
  const db = await freshDb('sqlite');
  const hub = await benchHub(db.url, { channels: [new HttpPlatformChannel(platform.url)] });
  const seeded = await seedOutbox(hub.dbh.db, hub.cipher, {
    people,
    perPerson,
    now: new Date(Date.now() - 1000),
  });
  const started = Date.now();
  hub.deliverer.start(20);
  const deadline = started + 100_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const open = await hub.dbh.db.outboxMessage.count({
      where: { state: { in: ['PENDING', 'RETRYING', 'SENDING'] } },
    });
    if (open === 0 || Date.now() > deadline) break;
  }
  await hub.deliverer.stop();
  const report = await platform.report();
  const elapsedS = (report.accepted.at(-1)!.at - report.accepted[0]!.at) / 1000;
  const allowed = TEAMS_PER_TENANT[0]!.limit / (TEAMS_PER_TENANT[0]!.windowMs / 1000);
  const achieved = (report.accepted.length - 1) / elapsedS;
  const unique = new Set(report.accepted.map((a) => a.key)).size;
  await hub.dbh.close();
  await db.drop();
  await platform.stop();
  return [
    {
      name: 'delivery.teams_fake.achieved_over_allowed',
      value: achieved / allowed,
      unit: 'ratio',
      baseline: `Teams' limit of ${allowed} sends/s per app per tenant, enforced by the fake platform`,
      goal: '>= 0.9',
      pass: achieved / allowed >= 0.9,
    },
    { name: 'delivery.teams_fake.achieved_per_s', value: achieved, unit: 'per_s' },
    {
      name: 'delivery.teams_fake.lost',
      value: seeded.total - unique,
      unit: 'count',
      goal: '0',
      pass: seeded.total === unique,
    },
    {
      name: 'delivery.teams_fake.duplicated',
      value: report.duplicates.length,
      unit: 'count',
      goal: '0',
      pass: report.duplicates.length === 0,
    },
    {
      name: 'delivery.teams_fake.throttled_429',
      value: report.throttled,
      unit: 'count',
      baseline: 'sends refused by the fake platform',
    },
    { name: 'delivery.teams_fake.messages', value: seeded.total, unit: 'count' },
  ];
}
