/**
 * The deadline planner's stored nudges (docs/deadlines.md "How the tick works"): the packed read a tick
 * compares its slots with, the lookup by key of the slots that read did not return, and the tick's writes
 * (new reminders in bulk, re-armed and withdrawn ones). Used through DeadlineRepository.
 */
import { randomUUID } from 'node:crypto';
import type { ReminderSpec } from '../core/reminders/reminder.ts';
import { aggregate, jsonIds, PackedReader, US } from './case-planning-read.ts';
import type { Db, Provider, Tx } from './db.ts';
import { type BulkColumn, bulkInsertSql, sqliteTimestamp } from './deadline-bulk.ts';
import { reminderPayload } from './reminder-repository.ts';
import { insertRows } from './sqlite-json-insert.ts';

const REMINDER_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'orgId', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'subjectType', type: 'text' },
  { name: 'subjectId', type: 'text' },
  { name: 'recipientId', type: 'text' },
  { name: 'dueAt', type: 'timestamp' },
  { name: 'status', type: 'enum', enumName: 'ReminderStatus' },
  { name: 'dedupeKey', type: 'text' },
  { name: 'payload', type: 'json' },
  { name: 'contentHash', type: 'text' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];

/** A stored deadline reminder as a tick compares it: its status and Reminder.contentHash (the slot's fingerprint). */
export interface StoredNudge {
  status: string;
  fingerprint: string;
}

/**
 * What `nudgeState` read: the stored nudges by key, and whether they are every reminder of the cases'
 * deadlines whatever its status (a slot missing from them is then a new nudge: no lookup by key needed).
 */
export interface NudgeState {
  byKey: Map<string, StoredNudge>;
  everyStatus: boolean;
}

/** A nudge to write: the reminder and the slot's fingerprint (stored in Reminder.contentHash). */
export interface NudgeWrite {
  spec: ReminderSpec;
  fingerprint: string;
}

const packedCols = ['"dedupeKey"', 'CAST("status" AS TEXT)', `coalesce("contentHash", '')`].join(
  ` || '${US}' || `,
);

function unpack(x: string | null | undefined, out: Map<string, StoredNudge>): void {
  if (x)
    for (const r = new PackedReader(x); !r.done; ) {
      const key = r.field();
      const status = r.field();
      out.set(key, { status, fingerprint: r.last() });
    }
}

/** See DeadlineRepository.nudgeState. */
export async function readNudgeState(
  db: Db,
  provider: Provider,
  kinds: string[],
  since: Date,
  caseIds?: string[],
): Promise<NudgeState> {
  const everyStatus = caseIds !== undefined && provider === 'postgres';
  const out: NudgeState = { byKey: new Map(), everyStatus };
  if (caseIds?.length === 0) return out;
  const kindList = kinds.map((k) => `'${k.replaceAll("'", "''")}'`).join(', ');
  const p = (i: number) => (provider === 'postgres' ? `$${i}` : '?');
  const status = everyStatus
    ? ''
    : ` AND ("status" = 'PENDING' OR ("status" = 'CANCELLED' AND "dueAt" >= ${p(1)}))`;
  // PostgreSQL: the ids as arrays (`= ANY(...)`, index probes whatever the statistics say). As
  // `IN (json)` semi-joins, a table never analysed (autovacuum off, or just after a bulk load) was planned
  // as a nested loop re-reading the case list for every pending reminder: 7-16 s at 20,000 cases.
  const ofCases = !caseIds
    ? ''
    : everyStatus
      ? ` AND "subjectId" = ANY(ARRAY(SELECT "id" FROM "Deadline" WHERE "caseId" = ANY($1::text[])))`
      : ` AND "subjectId" IN (SELECT "id" FROM "Deadline" WHERE "caseId" IN (${jsonIds(provider, p(2))}))`;
  const rows = await db.$queryRawUnsafe<{ x: string | null }[]>(
    `SELECT ${aggregate(provider, packedCols)} AS "x" FROM "Reminder" WHERE "subjectType" = 'deadline' AND "kind" IN (${kindList})${status}${ofCases}`,
    ...(everyStatus ? [caseIds] : caseIds ? [since, JSON.stringify(caseIds)] : [since]),
  );
  unpack(rows[0]?.x, out.byKey);
  return out;
}

/** See DeadlineRepository.storedNudges. */
export async function lookupNudges(
  db: Db,
  provider: Provider,
  keys: string[],
): Promise<Map<string, StoredNudge>> {
  const out = new Map<string, StoredNudge>();
  const match =
    provider === 'postgres' ? `"dedupeKey" = ANY($1::text[])` : `"dedupeKey" IN (${jsonIds(provider, '?')})`;
  const sql = `SELECT ${aggregate(provider, packedCols)} AS "x" FROM "Reminder" WHERE ${match}`;
  for (let i = 0; i < keys.length; i += 20_000) {
    const part = keys.slice(i, i + 20_000);
    const rows = await db.$queryRawUnsafe<{ x: string | null }[]>(
      sql,
      provider === 'postgres' ? part : JSON.stringify(part),
    );
    unpack(rows[0]?.x, out);
  }
  return out;
}

/** New reminders per statement on PostgreSQL: the next chunk is built while the server inserts this one. */
const PG_CHUNK = 1000;
/**
 * PostgreSQL, the new nudges when no lookup by key was made (`NudgeState.everyStatus`): a key already
 * stored is re-armed when it would have been had it been found (CANCELLED, or PENDING with another
 * fingerprint; the same columns as the re-arm below), left alone otherwise (handed to the outbox, or
 * unchanged). Returns how many rows were inserted and how many re-armed.
 */
const pgUpsertSql = () =>
  `WITH w AS (${bulkInsertSql('postgres', 'Reminder', REMINDER_COLUMNS)} ON CONFLICT ("dedupeKey") DO UPDATE SET "dueAt" = EXCLUDED."dueAt", "payload" = EXCLUDED."payload", "contentHash" = EXCLUDED."contentHash", "status" = 'PENDING', "recipientId" = EXCLUDED."recipientId", "updatedAt" = EXCLUDED."updatedAt" WHERE "Reminder"."status" = 'CANCELLED' OR ("Reminder"."status" = 'PENDING' AND coalesce("Reminder"."contentHash", '') <> EXCLUDED."contentHash") RETURNING (xmax = 0) AS "fresh") SELECT (count(*) FILTER (WHERE "fresh"))::int AS "created", (count(*) FILTER (WHERE NOT "fresh"))::int AS "rearmed" FROM w`;
let pgSql: { insert: string; upsert: string } | undefined;

function row(w: NudgeWrite, stamp: (d: Date) => string, now: string): Record<string, unknown> {
  const s = w.spec;
  return {
    id: randomUUID(),
    orgId: s.orgId,
    kind: s.kind,
    subjectType: s.subject.type,
    subjectId: s.subject.id,
    recipientId: s.recipientId,
    dueAt: stamp(s.dueAt),
    status: 'PENDING',
    dedupeKey: s.dedupeKey,
    payload: reminderPayload(s),
    contentHash: w.fingerprint,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * PostgreSQL: the new reminders in statements of PG_CHUNK rows (one JSON parameter each, json_to_recordset),
 * each sent before the next chunk's rows are rendered and serialised, so the tick's JavaScript and the
 * server's insert run at the same time (`creates` is consumed lazily: the planner renders a message as its
 * row is taken).
 */
async function pgInsert(
  tx: Tx,
  creates: Iterable<NudgeWrite>,
  now: Date,
  upsert: boolean,
): Promise<{ created: number; rearmed: number }> {
  pgSql ??= { insert: bulkInsertSql('postgres', 'Reminder', REMINDER_COLUMNS), upsert: pgUpsertSql() };
  const stamp = (d: Date) => d.toISOString();
  const at = stamp(now);
  const counts = { created: 0, rearmed: 0 };
  const add = (r: { created: number; rearmed: number }) => {
    counts.created += r.created;
    counts.rearmed += r.rearmed;
  };
  const send = (json: string): Promise<{ created: number; rearmed: number }> =>
    upsert
      ? tx
          .$queryRawUnsafe<{ created: number; rearmed: number }[]>(pgSql!.upsert, json)
          .then((r) => r[0] ?? { created: 0, rearmed: 0 })
      : tx.$executeRawUnsafe(pgSql!.insert, json).then((n) => ({ created: n, rearmed: 0 }));
  let inFlight: Promise<{ created: number; rearmed: number }> | undefined;
  const it = creates[Symbol.iterator]();
  for (let done = false; !done; ) {
    const part: Record<string, unknown>[] = [];
    while (part.length < PG_CHUNK) {
      const n = it.next();
      if (n.done) {
        done = true;
        break;
      }
      part.push(row(n.value, stamp, at));
    }
    if (part.length === 0) break;
    const json = JSON.stringify(part);
    if (inFlight) add(await inFlight);
    inFlight = send(json);
    // Awaited at the next chunk or below; a failure while the next chunk is built must not go unhandled.
    inFlight.catch(() => undefined);
    // Let the statement reach the server before the next chunk is built.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (inFlight) add(await inFlight);
  return counts;
}

/** See DeadlineRepository.writeNudges. */
export async function writeNudgeRows(
  tx: Tx,
  provider: Provider,
  creates: Iterable<NudgeWrite>,
  updates: NudgeWrite[],
  cancels: string[],
  opts: { upsert?: boolean } = {},
): Promise<{ created: number; rearmed: number }> {
  const now = new Date();
  const pg = provider === 'postgres';
  const stamp = (d: Date) => (pg ? d.toISOString() : sqliteTimestamp(d));
  let counts = { created: 0, rearmed: 0 };
  if (pg) counts = await pgInsert(tx, creates, now, opts.upsert ?? false);
  else {
    // On SQLite each row is parsed once (JSONB, sqlite-json-insert.ts), not once per column: the payload
    // is most of a row. 4,140 nudge rows (a morning's, bench deadlines): 0.41-0.56x the time of bulkInsert.
    const at = stamp(now);
    const rows = Array.from(creates, (w) => row(w, stamp, at));
    counts.created = await insertRows(tx, provider, 'Reminder', REMINDER_COLUMNS, rows, 5000);
  }
  if (updates.length > 0) {
    // The stored payload is the message's JSON text (as Prisma writes a Json column), jsonb on PostgreSQL.
    const part = updates.map(({ spec: s, fingerprint }) => ({
      k: s.dedupeKey,
      d: stamp(s.dueAt),
      p: JSON.stringify(reminderPayload(s)),
      h: fingerprint,
      r: s.recipientId,
    }));
    counts.rearmed += await tx.$executeRawUnsafe(
      pg
        ? `UPDATE "Reminder" AS m SET "dueAt" = x.d::timestamp(3), "payload" = x.p::jsonb, "contentHash" = x.h, "status" = 'PENDING', "recipientId" = x.r, "updatedAt" = $2::timestamp(3) FROM json_to_recordset($1::json) AS x(k text, d text, p text, h text, r text) WHERE m."dedupeKey" = x.k`
        : `UPDATE "Reminder" SET "dueAt" = x.value ->> '$.d', "payload" = x.value ->> '$.p', "contentHash" = x.value ->> '$.h', "status" = 'PENDING', "recipientId" = x.value ->> '$.r', "updatedAt" = ? FROM json_each(?) AS x WHERE "Reminder"."dedupeKey" = x.value ->> '$.k'`,
      ...(pg ? [JSON.stringify(part), stamp(now)] : [stamp(now), JSON.stringify(part)]),
    );
  }
  if (cancels.length > 0)
    await tx.$executeRawUnsafe(
      pg
        ? `UPDATE "Reminder" SET "status" = 'CANCELLED', "updatedAt" = $2::timestamp(3) WHERE "status" = 'PENDING' AND "dedupeKey" = ANY(ARRAY(${jsonIds(provider, '$1')}))`
        : `UPDATE "Reminder" SET "status" = 'CANCELLED', "updatedAt" = ? WHERE "status" = 'PENDING' AND "dedupeKey" IN (${jsonIds(provider, '?')})`,
      ...(pg ? [JSON.stringify(cancels), stamp(now)] : [stamp(now), JSON.stringify(cancels)]),
    );
  return counts;
}
