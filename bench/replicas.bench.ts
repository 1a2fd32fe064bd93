/**
 * Two replicas on one PostgreSQL database draining a backlog of due nudges (a Monday 08:00 digest run
 * for a local authority: one nudge per member of staff, 50 schools, each its own Teams tenant) to the
 * fake Teams platform. Figures: duplicates (goal 0), messages lost (goal 0), drain time with two
 * replicas, and the speed-up over one replica, whose rate is measured on a fifth of the backlog.
 * Size: 1,500 nudges at BENCH_SCALE=1 so that `npm run bench` stays within 10 minutes on 2 cores;
 * the full 50,000 is `BENCH_REPLICAS_NUDGES=50000 BENCH_ONLY=replicas BENCH_TIMEOUT_MS=3600000
 * npm run bench` (the drain takes 50,000 / the two-replica rate). Needs PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FieldCipher, parseKeyRing } from '../store/crypto/field-cipher.ts';
import { createDb } from '../store/db.ts';
import type { Figure } from './figure.ts';
import { benchScale, freshDb, postgresReachable } from './support/bench-hub.ts';
import { FakePlatform } from './support/fake-platform.ts';
import { seedOutbox } from './support/seed-outbox.ts';

export const description =
  'Two replicas on PostgreSQL drain 50,000 due nudges: duplicates, lost, time vs one replica';

const here = path.dirname(fileURLToPath(import.meta.url));
const cipher = new FieldCipher(parseKeyRing('bench1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

function startReplica(id: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support/replica.ts')], {
    env: { ...process.env, ...env, WORKER_ID: id, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`replica ${id} exited ${code}`)));
  });
}

async function drain(
  total: number,
  replicas: number,
): Promise<{ seconds: number; duplicates: number; lost: number; delivered: number; undrained: number }> {
  const platform = new FakePlatform();
  await platform.start();
  const db = await freshDb('postgres');
  const dbh = createDb(db.url);
  // One nudge per member of staff (a digest run); order per person is proven in test/scale.
  const seeded = await seedOutbox(dbh.db, cipher, {
    people: total,
    perPerson: 1,
    tenants: 50,
    now: new Date(Date.now() - 1000),
  });
  const env = { DATABASE_URL: db.url, PLATFORM_URL: platform.url, LEASE_MS: '30000', BATCH: '50' };
  const children = await Promise.all(Array.from({ length: replicas }, (_, i) => startReplica(`r${i}`, env)));
  const t0 = Date.now();
  const deadline = t0 + Number(process.env.BENCH_REPLICAS_MAX_S ?? 100) * 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const open = await dbh.db.outboxMessage.count({
      where: { state: { in: ['PENDING', 'RETRYING', 'SENDING'] } },
    });
    if (open === 0) break;
  }
  const seconds = (Date.now() - t0) / 1000;
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
  );
  const unique = new Set(platform.accepted.map((a) => a.key)).size;
  // Stopped by the time cap: what is still in the outbox is not lost, only not yet delivered.
  const undrained = await dbh.db.outboxMessage.count({ where: { state: { not: 'SENT' } } });
  const result = {
    seconds,
    duplicates: platform.duplicates().length,
    lost: seeded.total - undrained - unique,
    delivered: unique,
    undrained,
  };
  await dbh.close();
  await db.drop();
  await platform.stop();
  return result;
}

export async function run(): Promise<Figure[]> {
  if (!(await postgresReachable()))
    return [
      { name: 'replicas.skipped_no_postgres', value: 1, unit: 'count', baseline: 'PostgreSQL not reachable' },
    ];
  const total = Number(process.env.BENCH_REPLICAS_NUDGES ?? Math.round(1_500 * benchScale()));
  const sample = Math.max(100, Math.round(total / 5));
  const one = await drain(sample, 1);
  const two = await drain(total, 2);
  const oneRate = one.delivered / one.seconds;
  const twoRate = two.delivered / two.seconds;
  return [
    {
      name: 'replicas.two.duplicates',
      value: two.duplicates + one.duplicates,
      unit: 'count',
      goal: '0',
      pass: two.duplicates + one.duplicates === 0,
    },
    {
      name: 'replicas.two.lost',
      value: two.lost + one.lost,
      unit: 'count',
      goal: '0',
      pass: two.lost + one.lost === 0,
    },
    {
      name: 'replicas.two.drain_seconds',
      value: two.seconds,
      unit: 'count',
      baseline: `${total} due nudges, 2 replicas`,
    },
    {
      name: 'replicas.two_vs_one.speedup',
      value: twoRate / oneRate,
      unit: 'ratio',
      baseline: `one replica's rate (${oneRate.toFixed(0)}/s on ${sample} nudges)`,
      goal: '>= 1.3 (on 2 cores the database shares the CPU with both replicas)',
      pass: twoRate / oneRate >= 1.3,
    },
    { name: 'replicas.two.rate_per_s', value: twoRate, unit: 'per_s' },
    {
      name: 'replicas.two.undrained_at_time_cap',
      value: two.undrained,
      unit: 'count',
      baseline: 'messages still queued when BENCH_REPLICAS_MAX_S ran out (not lost)',
    },
    { name: 'replicas.nudges', value: total, unit: 'count' },
  ];
}
