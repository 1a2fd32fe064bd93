/**
 * The DSL board (issue 17) at 20,000 concerns: server time of GET /app/board through the real HTTP server,
 * and of the page's store reads alone (ConcernBoardRepository: the two counts, the page's rows, the
 * categories), SQLite and PostgreSQL. Goal: p99 < 150 ms for the page, as the other web pages.
 * - One school with 20,000 concerns over 10 years (about 2,000 a year, 150 pupils): 300 unacknowledged,
 *   1,200 acknowledged, 1,500 owned, 17,000 closed; statuses shuffled against raised times; a second
 *   school with 5,000 more, so the organisation filter matters.
 * - The default board (open concerns, page 1: the 100 oldest unacknowledged), page 20 (the acknowledged
 *   and owned, past the unacknowledged ones) and the closed filter's page 1, as the DSL.
 * Sequential GETs over loopback with the session cookie (signed in by the development link), after warm-up;
 * p50 and p99 of the round trip. The baseline, in the same run on the same database: the store reads alone.
 */
import { randomUUID } from 'node:crypto';
import { defaultModules } from '../app/modules.ts';
import { createApp, listen } from '../app/server.ts';
import { ConcernBoardRepository } from '../store/concern-board-repository.ts';
import type { Db } from '../store/db.ts';
import type { Figure } from './figure.ts';
import { benchHub, freshDb, postgresReachable, scaled } from './support/bench-hub.ts';
import { FixedClock } from './support/fixed-clock.ts';
import { signedInGet, stepLogger, times } from './support/page-timing.ts';

export const description =
  'GET /app/board (DSL, 20,000 concerns, 3,000 open): server p99 through HTTP vs the store reads alone, SQLite and PostgreSQL';

const GOAL_MS = 150;
/** BOARD_BENCH_VERBOSE=1: each step's time on stderr. */
const say = stepLogger('board-page', 'BOARD_BENCH_VERBOSE');

/** A school with a DSL and `n` concerns (the mix above), raised over the 10 years before `now`. */
export async function addSchool(db: Db, n: number, now: Date, email: string) {
  const org = await db.organisation.create({ data: { name: `School ${email}` } });
  const dsl = await db.staff.create({ data: { orgId: org.id, displayName: 'DSL', email } });
  await db.staffRole.create({ data: { staffId: dsl.id, role: 'DSL' } });
  const students = Array.from({ length: 150 }, () => randomUUID());
  await db.student.createMany({
    data: students.map((id, i) => ({
      id,
      orgId: org.id,
      givenName: `P${i}`,
      familyName: `Q${i}`,
      yearGroup: String(7 + (i % 5)),
    })),
  });
  const mix: [string, number][] = [
    ['RAISED', 0.015],
    ['ACKNOWLEDGED', 0.06],
    ['OWNED', 0.075],
    ['CLOSED', 0.85],
  ];
  const counts = mix.map(([s, f]) => [s, Math.round(n * f)] as const);
  const statuses = counts.flatMap(([s, c]) => Array<string>(c).fill(s));
  const span = 10 * 365 * 24 * 60; // minutes
  // A fixed stride shuffles status against raised time (7919 is prime, so coprime with n unless n divides).
  const stride = n % 7919 === 0 ? 7907 : 7919;
  const rows = statuses.map((status, i) => {
    const slot = (i * stride) % statuses.length;
    const raisedAt = new Date(now.getTime() - (span - Math.floor((slot * span) / statuses.length)) * 60_000);
    return {
      id: randomUUID(),
      orgId: org.id,
      studentId: students[i % students.length]!,
      raisedById: dsl.id,
      source: 'chat',
      category: ['Neglect', 'Online safety', 'Physical abuse', 'Emotional abuse'][i % 4]!,
      textEnc: 'not read by the board',
      occurredAt: raisedAt,
      raisedAt,
      status: status as 'RAISED' | 'ACKNOWLEDGED' | 'OWNED' | 'CLOSED',
      ...(status === 'RAISED' ? {} : { acknowledgedById: dsl.id, acknowledgedAt: raisedAt }),
      ...(status === 'OWNED' || status === 'CLOSED' ? { ownerId: dsl.id } : {}),
      ...(status === 'CLOSED' ? { outcome: 'no_further_action', outcomeAt: raisedAt } : {}),
    };
  });
  for (let i = 0; i < rows.length; i += 5000) await db.concern.createMany({ data: rows.slice(i, i + 5000) });
  return { orgId: org.id, open: n - counts[3]![1], closed: counts[3]![1] };
}

async function measure(provider: 'sqlite' | 'postgres', now: Date): Promise<Figure[]> {
  const db = await freshDb(provider);
  const hub = await benchHub(db.url, { clock: new FixedClock(now), modules: defaultModules() });
  const server = await listen(createApp(hub), 0, '127.0.0.1');
  try {
    const n = scaled(20_000, 1000);
    const school = await addSchool(hub.dbh.db, n, now, 'dsl@school.example');
    await addSchool(hub.dbh.db, Math.round(n / 4), now, 'dsl@other.example');
    say(`${provider}: ${n} + ${Math.round(n / 4)} concerns inserted`);
    // The planner's statistics, as autovacuum keeps them on a running server (after a bulk load).
    await hub.dbh.db.$executeRawUnsafe('ANALYZE');
    const base = `http://127.0.0.1:${server.port}`;
    const get = await signedInGet(hub, base, 'dsl@school.example', school.orgId);
    const reps = Math.max(30, scaled(60));
    const first = await times(reps, 5, () => get('/app/board', `of ${school.open} concerns`));
    say('open page 1 timed');
    const pg = Math.min(20, Math.ceil(school.open / 100)); // page 20 at full size
    const later = await times(reps, 5, () =>
      get(`/app/board?page=${pg}`, `Showing ${(pg - 1) * 100 + 1} to`),
    );
    const closed = await times(reps, 5, () =>
      get('/app/board?status=closed', `of ${school.closed} concerns`),
    );
    say('page 20 and closed timed');
    const repo = new ConcernBoardRepository(hub.dbh.db);
    const reads = await times(reps, 5, async () => {
      await repo.page(school.orgId, { status: 'open', category: null, owner: null }, 1);
      await repo.categories(school.orgId);
    });
    const p = `board_page.${provider}`;
    const ms = (v: number) => Math.round(v * 10) / 10;
    return [
      {
        name: `${p}.open_20k.p99_ms`,
        value: ms(first.p99),
        unit: 'ms',
        goal: `< ${GOAL_MS}`,
        pass: first.p99 < GOAL_MS,
      },
      { name: `${p}.open_20k.p50_ms`, value: ms(first.p50), unit: 'ms' },
      {
        name: `${p}.open_20k.p99_ratio_vs_reads`,
        value: Math.round((first.p99 / reads.p99) * 100) / 100,
        unit: 'ratio',
        baseline: `the page's store reads alone (two counts, 100 rows, the categories): p99 ${reads.p99.toFixed(1)} ms, p50 ${reads.p50.toFixed(1)} ms`,
      },
      { name: `${p}.open_20k_page20.p99_ms`, value: ms(later.p99), unit: 'ms' },
      { name: `${p}.closed_20k.p99_ms`, value: ms(closed.p99), unit: 'ms' },
    ];
  } finally {
    await server.close();
    await hub.dbh.close();
    await db.drop();
  }
}

export async function run(): Promise<Figure[]> {
  const now = new Date('2026-11-24T10:00:00Z');
  const figures = await measure('sqlite', now);
  if (await postgresReachable()) figures.push(...(await measure('postgres', now)));
  return figures;
}
