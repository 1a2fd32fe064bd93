/**
 * Issue 7: from a concern committed (the 'concern.raised' event, emitted right after the commit) to the
 * DSL's message handed to the channel adapter (`send` called), with 1,000 concerns raised in a burst
 * while the delivery loop runs. Goal: p99 under 1 second.
 *
 * Two shapes: 100 schools × 10 concerns (a trust or LA-wide burst: each school's DSL gets their own
 * ordered stream), and one school × 200 (every message to the same DSL, delivered in order).
 * Baseline in the same run: handing 1,000 pre-built messages (already in the outbox) to the adapter.
 * Peer (issue 18): PostgreSQL's one-DSL p99 is shown against SQLite's for the same work, same run
 * (`floor` of escalation.postgres.burst_one_school.p99_ms and the ratio figure).
 */
import type { Hub } from '../app/container.ts';
import { safeguardingModule, safeguardingOf } from '../app/safeguarding/module.ts';
import { TEAMS_PER_CONVERSATION } from '../core/delivery/platform-rate-limits.ts';
import type { OutgoingMessage } from '../core/messages/outgoing-message.ts';
import { message } from '../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget, RateRule } from '../core/ports.ts';
import type { Provider } from '../store/db.ts';
import type { Figure } from './figure.ts';
import { benchHub, freshDb, postgresReachable, scaled, timed } from './support/bench-hub.ts';

export const description =
  'Concern committed → DSL message handed to the adapter, 1,000 concerns in a burst (p50/p99), vs handing 1,000 pre-built messages';

/** An adapter that records when each message reaches it (no network: we time the hub, not Teams). */
class RecordingChannel implements ChannelPort {
  readonly platform = 'CONSOLE' as const;
  readonly handedAt = new Map<string, number>();
  count = 0;
  canReach(): boolean {
    return true;
  }
  async send(_t: DeliveryTarget, m: OutgoingMessage): Promise<DeliveryResult> {
    this.count++;
    if (m.kind === 'concern_escalation' && m.subject) this.handedAt.set(m.subject.id, performance.now());
    return { outcome: 'sent' };
  }
}

async function seed(
  hub: Hub,
  schools: number,
): Promise<{ orgId: string; studentId: string; raiserId: string }[]> {
  const db = hub.dbh.db;
  const out = [];
  for (let i = 0; i < schools; i++) {
    const org = await db.organisation.create({ data: { name: `Bench school ${i}` } });
    const mk = (key: string, role: 'DSL' | 'STAFF' | 'ADMIN') =>
      db.staff.create({
        data: {
          orgId: org.id,
          displayName: `${key} ${i}`,
          email: `${key}${i}@bench.example`,
          roles: { create: [{ role }] },
        },
      });
    await mk('dsl', 'DSL');
    await mk('admin', 'ADMIN');
    const raiser = await mk('teacher', 'STAFF');
    const student = await db.student.create({
      data: { orgId: org.id, givenName: 'Bench', familyName: `Pupil${i}`, yearGroup: '7' },
    });
    out.push({ orgId: org.id, studentId: student.id, raiserId: raiser.id });
  }
  return out;
}

const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? Number.NaN;

async function burst(provider: Provider, schools: number, perSchool: number, concurrency: number) {
  const db = await freshDb(provider);
  const channel = new RecordingChannel();
  const hub = await benchHub(db.url, { channels: [channel], modules: [safeguardingModule()] });
  const places = await seed(hub, schools);
  const { service } = safeguardingOf(hub);
  const committedAt = new Map<string, number>();
  hub.events.on('concern.raised', (e) => void committedAt.set(e.concernId, performance.now()));
  const jobs = places.flatMap((p) => Array.from({ length: perSchool }, () => p));
  hub.deliverer.start(20);
  const total = jobs.length;
  const wall = await timed(async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs.length) {
          const p = jobs[next++]!;
          // Each concern comes in as its own request (a chat card submitted, a Slack modal, an import
          // row), i.e. its own turn of the event loop. Without this the 16 in-process callers on the
          // synchronous SQLite driver form one unbroken chain of microtasks, and no timer of the hub
          // (the delivery loop's included) runs until the whole burst has been raised.
          await new Promise((r) => setImmediate(r));
          await service.raise({
            orgId: p.orgId,
            studentId: p.studentId,
            raisedById: p.raiserId,
            source: 'chat',
            externalId: null,
            category: 'Neglect',
            immediateRisk: false,
            text: 'bench concern text',
            actionsTaken: '',
            occurredAt: new Date(),
            via: 'CONSOLE',
          });
        }
      }),
    );
    const deadline = performance.now() + 120_000;
    while (channel.handedAt.size < total && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
  });
  await hub.deliverer.stop();
  const lat = [...committedAt.entries()]
    .map(([id, t]) => (channel.handedAt.get(id) ?? Number.POSITIVE_INFINITY) - t)
    .sort((a, b) => a - b);
  await hub.dbh.close();
  await db.drop();
  return {
    total,
    delivered: channel.handedAt.size,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    max: lat[lat.length - 1] ?? 0,
    wallMs: wall.ms,
  };
}

/** Baseline: 1,000 pre-built messages already in the outbox, handed to the same adapter by the same loop. */
async function baseline(provider: Provider, n: number, schools: number) {
  const db = await freshDb(provider);
  const channel = new RecordingChannel();
  const hub = await benchHub(db.url, { channels: [channel], modules: [] });
  const places = await seed(hub, schools);
  const dsls = await hub.dbh.db.staff.findMany({
    where: { roles: { some: { role: 'DSL' } } },
    select: { id: true, orgId: true },
  });
  for (let i = 0; i < n; i++) {
    const d = dsls[i % dsls.length]!;
    await hub.outbox.enqueue({
      idempotencyKey: `bench:${i}`,
      orgId: d.orgId,
      to: { staffId: d.id },
      priority: 0,
      message: message({ kind: 'text', audience: 'private', title: `pre-built ${i}` }),
    });
  }
  void places;
  const r = await timed(() => hub.deliverer.drainAll(100_000));
  await hub.dbh.close();
  await db.drop();
  return { ms: r.ms, sent: channel.count };
}

/**
 * What the platform itself allows: the earliest time (ms after the first) at which each of `n` messages to
 * ONE conversation can be sent under `rules` (sliding windows, sent as early as every rule permits).
 * For Teams' per-conversation limits (7/1 s, 8/2 s, 60/30 s, 1800/h) the 200th message cannot leave
 * before ~90 s, whatever the hub does.
 */
export function platformFloorMs(n: number, rules: RateRule[]): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = times.at(-1) ?? 0;
    for (const r of rules)
      if (times.length >= r.limit) t = Math.max(t, times[times.length - r.limit]! + r.windowMs);
    times.push(t);
  }
  return times;
}

async function figuresFor(provider: Provider): Promise<Figure[]> {
  const schools = scaled(100, 5);
  const perSchool = 10;
  const trust = await burst(provider, schools, perSchool, 16);
  const base = await baseline(provider, trust.total, schools);
  // One DSL's messages go out strictly in order (a run of up to 10 per claim), so this shape is kept smaller.
  const single = await burst(provider, 1, scaled(200, 20), 16);
  const baseSingle = await baseline(provider, single.total, 1);
  const p = `escalation.${provider}`;
  return [
    {
      name: `${p}.burst_many_schools.p99_ms`,
      value: trust.p99,
      unit: 'ms',
      goal: '< 1000',
      pass: trust.p99 < 1000 && trust.delivered === trust.total,
      baseline: `${trust.total} concerns across ${schools} schools; commit → adapter send`,
    },
    { name: `${p}.burst_many_schools.p50_ms`, value: trust.p50, unit: 'ms' },
    { name: `${p}.burst_many_schools.max_ms`, value: trust.max, unit: 'ms' },
    {
      name: `${p}.burst_many_schools.wall.ratio_vs_prebuilt`,
      value: trust.wallMs / base.ms,
      unit: 'ratio',
      baseline: `handing ${base.sent} pre-built outbox messages to the adapter (${base.ms.toFixed(0)} ms)`,
    },
    { name: `${p}.prebuilt_handoff.ms`, value: base.ms, unit: 'ms' },
    {
      name: `${p}.burst_one_school.p99_ms`,
      value: single.p99,
      unit: 'ms',
      goal: '< 1000',
      pass: single.p99 < 1000 && single.delivered === single.total,
      baseline: `${single.total} concerns to ONE DSL (one ordered stream); pre-built hand-off of the same: ${baseSingle.ms.toFixed(0)} ms`,
    },
    { name: `${p}.burst_one_school.p50_ms`, value: single.p50, unit: 'ms' },
    { name: `${p}.burst_one_school.delivered`, value: single.delivered, unit: 'count' },
    {
      name: `${p}.burst_one_school.teams_floor_p99_ms`,
      value: pct(platformFloorMs(single.total, TEAMS_PER_CONVERSATION), 99),
      unit: 'ms',
      baseline: `the earliest Teams' per-conversation limits let the p99 of ${single.total} messages to one person leave (no hub involved)`,
    },
  ];
}

export async function run(): Promise<Figure[]> {
  const out = await figuresFor('sqlite');
  if (process.env.BENCH_ESCALATION_PG !== '0' && (await postgresReachable())) {
    const pg = await figuresFor('postgres');
    // Issue 18: PostgreSQL's one-DSL burst against its peer, SQLite doing the same work in the same run.
    const p99 = (fs: Figure[], p: Provider) =>
      fs.find((f) => f.name === `escalation.${p}.burst_one_school.p99_ms`)!;
    const lite = p99(out, 'sqlite');
    const post = p99(pg, 'postgres');
    post.floor = lite.value;
    pg.push({
      name: 'escalation.burst_one_school.p99_ratio_postgres_vs_sqlite',
      value: post.value / lite.value,
      unit: 'ratio',
      baseline: `PostgreSQL p99 ${post.value.toFixed(0)} ms / SQLite p99 ${lite.value.toFixed(0)} ms, 200 concerns to one DSL, same run`,
    });
    out.push(...pg);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((f) => console.log(JSON.stringify(f, null, 2)));
}
