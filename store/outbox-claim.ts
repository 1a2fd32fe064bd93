/**
 * How a claim picks and leases due outbox messages, one implementation per provider (store/outbox-repository.ts
 * calls them): portable conditional updates on SQLite (one process), one `FOR UPDATE SKIP LOCKED` statement
 * on PostgreSQL (several replicas). Both take, for up to `limit` people, the first message in line and the run
 * of due messages behind it (up to MAX_RUN), in order.
 */
import { isOutOfChat, type Platform } from '../core/ports.ts';
import type { Db } from './db.ts';
import { sqliteTimestamp } from './deadline-bulk.ts';

/** Most messages of one person in one claim; a claim takes up to `limit` people. */
const MAX_RUN = 10;
/** A run is looked for among the person's next RUN_WINDOW sequence numbers (sent ones lie before). */
const RUN_WINDOW = MAX_RUN * 4;

/**
 * A head that failed before and waits to be retried (a transient error, a 429) is claimed alone: it is
 * likely to fail again, and its run claimed with it was given back whole after each failure (issue 18:
 * with every DSL's chat failing, each retry claimed, decrypted and gave back nine messages, ~50 claims
 * and ~1,250 give-backs holding SQLite's one writer and the event loop while 1,000 SMS were due). Once it
 * is sent, the next claim takes the rest in order, as before.
 */
const retriedHead = (r: { state: string; attempts: number }) => r.state === 'RETRYING' && r.attempts > 0;

/** Whether a claimed row is an e-mail or SMS (its own people count, `outOfChat` of the claims below). */
const outOfChatRow = (r: { platform: Platform | null }) => r.platform !== null && isOutOfChat(r.platform);

/**
 * An earlier message of the same person holds a later one back while it is being sent, retried, or due.
 * One that is merely scheduled for later (a nudge held until quiet hours end) does not: otherwise a
 * digest held overnight would hold back tonight's "meeting in 1 hour" reminder until after the meeting.
 */
const blocking = (now: Date) => [
  { state: { in: ['RETRYING' as const, 'SENDING' as const] } },
  { state: 'PENDING' as const, nextAttemptAt: { lte: now } },
];

export const claimedSelect = {
  id: true,
  idempotencyKey: true,
  orgId: true,
  recipientId: true,
  platformRef: true,
  platform: true,
  orderKey: true,
  priority: true,
  attempts: true,
  maxAttempts: true,
  payloadEnc: true,
  createdAt: true,
} as const;

export interface ClaimedRow {
  id: string;
  idempotencyKey: string;
  orgId: string;
  recipientId: string | null;
  platformRef: string | null;
  platform: Platform | null;
  orderKey: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  payloadEnc: string;
  createdAt: Date;
}

/**
 * SQLite (one process): one transaction of a handful of statements, whatever the batch size: read the
 * due candidates (leaving out, by an anti-join, the people whose first message is held), read in one
 * query which of their people have an earlier message that holds them back, read the picked people's
 * runs, and lease the winners with one conditional update that returns the rows it changed. The
 * transaction takes the driver's lock, so no other claim of this process interleaves; the update
 * re-checks that each row is still due, and returns only the rows this claim won.
 *
 * A person with several due messages gets a run of up to `MAX_RUN` of them in one claim, in order (one
 * DSL receiving a burst of concerns is one ordered stream: one message per claim made that stream as
 * slow as a whole claim round per message). A run is a prefix of the person's blocking messages in
 * sequence order, all of them due: nothing that holds the person back lies between two of its messages.
 * The deliverer sends a run in order and gives the rest back as soon as one is not sent.
 *
 * `outOfChat` (issue 18): when given, e-mail and SMS people are counted apart, up to `outOfChat` of them
 * besides the `limit` chat people (a burst of 1,000 SMS due at once to 100 people is one claim, not five
 * rounds of 20, and its writes form groups of 100). Without it, every person counts towards `limit`.
 */
export async function claimPortable(
  db: Db,
  worker: string,
  limit: number,
  now: Date,
  until: Date,
  outOfChat?: number,
): Promise<(ClaimedRow & { inDoubt: boolean })[]> {
  const due = [
    { state: { in: ['PENDING' as const, 'RETRYING' as const] }, nextAttemptAt: { lte: now } },
    { state: 'SENDING' as const, leaseUntil: { lt: now } },
  ];
  return db.$transaction(async (tx) => {
    // The due candidates: the first message in line of each person (no earlier message holds it back),
    // so people whose first message is held (a retry waiting out its backoff, or being sent now) are left
    // out: none of their later messages can go, and they would otherwise fill the candidates with
    // messages no claim can take, starving everyone behind them (issue 16: ten DSLs whose Teams answers
    // 500, ten concerns each, held every e-mail and SMS of the safeguarding ladder back). Heads only: a
    // window of every due message held a burst's whole runs, so a claim of `limit` people found only
    // limit * 4 / 10 of them (8 of 20 in issue 18's 1,000 SMS due at once). An anti-join (NOT EXISTS, on
    // the (orderKey, sequence) index), not a list of held people: that list grew with the outbox.
    const at = sqliteTimestamp(now);
    const ids = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT m."id" FROM "OutboxMessage" m
       WHERE ((m."state" IN ('PENDING', 'RETRYING') AND m."nextAttemptAt" <= ?)
              OR (m."state" = 'SENDING' AND m."leaseUntil" < ?))
         AND NOT EXISTS (
           SELECT 1 FROM "OutboxMessage" p
           WHERE p."orderKey" = m."orderKey" AND p."sequence" < m."sequence"
             AND (p."state" IN ('RETRYING', 'SENDING') OR (p."state" = 'PENDING' AND p."nextAttemptAt" <= ?)))
       ORDER BY m."priority", m."nextAttemptAt", m."sequence"
       LIMIT ?`,
      ...[at, at, at],
      limit * 4 + (outOfChat ?? 0) * 2,
    );
    if (ids.length === 0) return [];
    const order = new Map(ids.map((r, k) => [r.id, k]));
    const candidates = (
      await tx.outboxMessage.findMany({
        where: { id: { in: ids.map((r) => r.id) } },
        select: { ...claimedSelect, sequence: true, state: true, nextAttemptAt: true },
      })
    ).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    if (candidates.length === 0) return [];
    // The first blocking message of each candidate's person. A due candidate blocks itself, so it is
    // first in line exactly when no blocking message has a lower sequence. A later message that is
    // blocked must not hide the earlier one of the same person, which may be due further down the list
    // (it was retried with a later nextAttemptAt, e.g. after a 429).
    const firsts = await tx.outboxMessage.groupBy({
      by: ['orderKey'],
      where: { orderKey: { in: [...new Set(candidates.map((c) => c.orderKey))] }, OR: blocking(now) },
      _min: { sequence: true },
    });
    const first = new Map(firsts.map((f) => [f.orderKey, f._min.sequence ?? 0]));
    // A person seen here only behind their first message: that one may be due but sort after the window
    // (its retry's backoff put it after the messages given back behind it). Fetched by its key, so a
    // window full of such followers cannot starve every other person (issue 16).
    const behind = [...first.entries()].filter(
      ([key, seq]) => !candidates.some((c) => c.orderKey === key && c.sequence === seq),
    );
    if (behind.length > 0) {
      const heads = await tx.outboxMessage.findMany({
        where: {
          AND: [{ OR: behind.map(([orderKey, sequence]) => ({ orderKey, sequence })) }, { OR: due }],
        },
        select: { ...claimedSelect, sequence: true, state: true, nextAttemptAt: true },
      });
      candidates.push(...heads);
      const at = (c: { nextAttemptAt?: Date }) => c.nextAttemptAt?.getTime() ?? 0;
      candidates.sort((a, b) => a.priority - b.priority || at(a) - at(b) || a.sequence - b.sequence);
    }
    // People whose first blocking message is a candidate, in claim order (priority, due time), up to `limit`
    // (and `outOfChat` e-mail and SMS people apart, when given).
    const people: string[] = [];
    const taken = new Set<string>();
    let chat = 0;
    let ooc = 0;
    for (const c of candidates) {
      if (chat >= limit && (outOfChat === undefined || ooc >= outOfChat)) break;
      if (c.sequence !== first.get(c.orderKey) || taken.has(c.orderKey)) continue;
      const apart = outOfChat !== undefined && outOfChatRow(c);
      if (apart ? ooc >= outOfChat : chat >= limit) continue;
      if (apart) ooc++;
      else chat++;
      taken.add(c.orderKey);
      people.push(c.orderKey);
    }
    if (people.length === 0) return [];
    // Their runs, read by key in one query: the candidate window is ordered by due time, so a burst to
    // many people interleaves them and holds one message of each; a run found only there was one
    // message long (a claim round per message; issue 16's 1,000 SMS due at once). Every blocking message
    // from the head on, within a window of sequences; the run stops at the first that is not due.
    const rows = await tx.outboxMessage.findMany({
      where: {
        AND: [
          {
            OR: people.map((orderKey) => {
              const from = first.get(orderKey) ?? 0;
              return { orderKey, sequence: { gte: from, lt: from + RUN_WINDOW } };
            }),
          },
          { OR: blocking(now) },
        ],
      },
      orderBy: { sequence: 'asc' },
      select: { ...claimedSelect, sequence: true, state: true, nextAttemptAt: true, leaseUntil: true },
    });
    const isDue = (r: (typeof rows)[number]) =>
      r.state === 'SENDING'
        ? (r.leaseUntil?.getTime() ?? 0) < now.getTime()
        : r.nextAttemptAt.getTime() <= now.getTime();
    const runs = new Map<string, typeof rows>(people.map((k) => [k, []]));
    const stopped = new Set<string>();
    for (const r of rows) {
      const run = runs.get(r.orderKey);
      if (!run || stopped.has(r.orderKey)) continue;
      if (run.length >= MAX_RUN || !isDue(r)) stopped.add(r.orderKey);
      else run.push(r);
      if (run.length === 1 && retriedHead(r)) stopped.add(r.orderKey);
    }
    // In claim order, each person with their run (their messages go out one after another, different
    // people's concurrently).
    const picked = people.flatMap((k) => runs.get(k) ?? []);
    if (picked.length === 0) return [];
    const won = await tx.outboxMessage.updateManyAndReturn({
      where: { id: { in: picked.map((c) => c.id) }, OR: due },
      data: { state: 'SENDING', leaseOwner: worker, leaseUntil: until },
      select: { id: true },
    });
    const wonIds = new Set(won.map((w) => w.id));
    // A run is cut at its first message this claim did not win (the rest must wait for it): any later
    // one it did win goes back as it was.
    const lost = new Set<string>();
    const out: (ClaimedRow & { inDoubt: boolean })[] = [];
    for (const c of picked) {
      if (!lost.has(c.orderKey) && wonIds.has(c.id)) {
        out.push({ ...c, inDoubt: c.state === 'SENDING' });
        continue;
      }
      lost.add(c.orderKey);
      if (wonIds.has(c.id))
        await tx.outboxMessage.updateMany({
          where: { id: c.id, leaseOwner: worker },
          data: { state: c.state, leaseOwner: null, leaseUntil: null },
        });
    }
    return out;
  });
}

/** A message's claimability in SQL: due, or leased by a holder whose lease ran out (in doubt). */
const dueSql = (m: string) =>
  `((${m}."state" IN ('PENDING', 'RETRYING') AND ${m}."nextAttemptAt" <= $1::timestamp)
     OR (${m}."state" = 'SENDING' AND ${m}."leaseUntil" < $1::timestamp))`;
/**
 * Holds a later message of the same person back (see `blocking`). Read row by row from the person's rows
 * (found by the (orderKey, sequence) index): the state is compared as text so that the planner never ANDs
 * in a bitmap of the state index, which holds every open message of the outbox and, between vacuums,
 * every dead version of them (issue 18: right after a burst, with statistics older than the rows, each of
 * 1,000 candidates' probes read 13,700 index entries of the state index: 0.4 s of a 0.85 s claim).
 */
const blockingSql = (m: string) =>
  `(${m}."state"::text IN ('RETRYING', 'SENDING') OR (${m}."state"::text = 'PENDING' AND ${m}."nextAttemptAt" <= $1::timestamp))`;

/**
 * PostgreSQL: pick and lease, for up to `limit` people, the first message in line and its run, in one
 * statement. `heads`: the first open message of each person (NOT EXISTS an earlier blocking one), locked
 * with `SKIP LOCKED`, so replicas claim disjoint people without waiting on each other. `run`: the blocking
 * messages behind each head, in sequence order, up to the first that is not due (a retry waiting, a live
 * lease) and at most MAX_RUN in all; a message merely held for later is not blocking and is stepped over,
 * as on SQLite. `locked`: those rows locked with `SKIP LOCKED` too, re-checking that each is still due
 * (READ COMMITTED re-evaluates the row condition on a row changed since the statement's snapshot); a run
 * is cut at its first row not locked, so nothing is claimed past a gap. Both cuts (first not due, first
 * not locked) are window functions over the person's rows, not anti-joins of a CTE with itself: the
 * planner cannot count a CTE's rows and nested-looped them, n² over a claim of 1,000 (issue 18). A
 * follower is only ever locked after its head (the join reads the head first), and the head stops every
 * other claim from reaching the person's later messages, so two replicas never split one person's run.
 * Timestamps are UTC in `timestamp(3)` columns, as Prisma writes them. `outOfChat`: e-mail and SMS people
 * counted apart, as on SQLite (two `heads` selections, each locked with `SKIP LOCKED`).
 *
 * @returns the claimed rows, people in claim order (priority, due time), each person's in sequence order.
 */
export async function claimRunsSkipLocked(
  db: Db,
  worker: string,
  limit: number,
  now: Date,
  until: Date,
  outOfChat?: number,
): Promise<{ id: string; inDoubt: boolean }[]> {
  const n = Math.max(1, Math.floor(limit));
  const headsOf = (name: string, only: string, count: number) => `${name} AS (
       SELECT m."id", m."orderKey", m."sequence", m."priority", m."nextAttemptAt", m."state"::text AS prev,
              m."attempts"
       FROM "OutboxMessage" m
       WHERE ${dueSql('m')}${only}
         AND NOT EXISTS (
           SELECT 1 FROM "OutboxMessage" p
           WHERE p."orderKey" = m."orderKey" AND p."sequence" < m."sequence" AND ${blockingSql('p')})
       ORDER BY m."priority", m."nextAttemptAt", m."sequence"
       LIMIT ${count}
       FOR UPDATE OF m SKIP LOCKED
     )`;
  const ooc = `m."platform"::text IN ('EMAIL', 'SMS')`;
  const heads =
    outOfChat === undefined
      ? headsOf('heads', '', n)
      : `${headsOf('chat_heads', ` AND (m."platform" IS NULL OR NOT ${ooc})`, n)},
     ${headsOf('ooc_heads', ` AND ${ooc}`, Math.max(1, Math.floor(outOfChat)))},
     heads AS (SELECT * FROM chat_heads UNION ALL SELECT * FROM ooc_heads)`;
  const rows = await db.$queryRawUnsafe<{ id: string; prev: string; turn: number; pos: number }[]>(
    `WITH ${heads},
     ranked AS (
       SELECT h.*, (row_number() OVER (ORDER BY h."priority", h."nextAttemptAt", h."sequence"))::int AS turn
       FROM heads h
     ),
     behind AS (
       SELECT f."id", f."orderKey", r.turn, (row_number() OVER w)::int AS pos,
              bool_and(${dueSql('f')}) OVER w AS due_so_far
       FROM ranked r JOIN "OutboxMessage" f ON f."orderKey" = r."orderKey" AND f."sequence" > r."sequence"
       WHERE ${blockingSql('f')} AND NOT (r.prev = 'RETRYING' AND r."attempts" > 0)
       WINDOW w AS (PARTITION BY f."orderKey" ORDER BY f."sequence")
     ),
     run AS (
       SELECT "id", "orderKey", turn, pos FROM behind WHERE pos < ${MAX_RUN} AND due_so_far
     ),
     locked AS (
       SELECT f."id", f."state"::text AS prev, r."orderKey", r.turn, r.pos
       FROM run r JOIN "OutboxMessage" f ON f."id" = r."id"
       WHERE ${dueSql('f')}
       FOR UPDATE OF f SKIP LOCKED
     ),
     won AS (
       SELECT "id", prev, turn, 0 AS pos FROM ranked
       UNION ALL
       SELECT "id", prev, turn, pos FROM (
         SELECT l.*, (count(*) OVER (PARTITION BY l."orderKey" ORDER BY l.pos))::int AS upto FROM locked l
       ) k
       WHERE k.upto = k.pos
     )
     UPDATE "OutboxMessage" o
     SET "state" = 'SENDING', "leaseOwner" = $2, "leaseUntil" = $3::timestamp, "updatedAt" = $1::timestamp
     FROM won WHERE o."id" = won."id"
     RETURNING o."id", won.prev, won.turn, won.pos`,
    now.toISOString(),
    worker,
    until.toISOString(),
  );
  return rows
    .sort((a, b) => a.turn - b.turn || a.pos - b.pos)
    .map((r) => ({ id: r.id, inDoubt: r.prev === 'SENDING' }));
}
