/**
 * Token buckets shared by every replica (RateBucket rows), so that N hub processes together stay under
 * a platform's limit. Each rule of a key is one bucket row ("<key>|<windowMs>"). A take is atomic across
 * all the buckets of a send: one transaction, each row updated with a compare-and-set on (updatedAt,
 * tokens), retried on conflict, so two replicas can never both spend the same token. On PostgreSQL the
 * rows are locked first (FOR UPDATE, in key order) so concurrent replicas queue instead of conflicting.
 */
import { bucketFor, JITTER_MARGIN_MS } from '../core/delivery/platform-rate-limits.ts';
import type { Clock, RateLimitKey } from '../core/ports.ts';
import type { Db, Provider, Tx } from './db.ts';

/**
 * ok: a slot is reserved for this send `waitMs` from now (0 = at once); the caller waits, then sends.
 * not ok: no slot within `maxWaitMs`; nothing was spent; try again in `waitMs`.
 */
export type TakeResult = { ok: true; waitMs: number } | { ok: false; waitMs: number };

class BucketConflict extends Error {}

interface BucketSpec {
  id: string;
  capacity: number;
  perMs: number;
}

/**
 * PostgreSQL, a key of one large bucket (Notify's 3,000 a minute per API key, a bucket of 1,000): tokens
 * are leased in blocks (issue 18). Every SMS taking its token with its own UPDATE of the one bucket row
 * queued 1,000 commits on that row's lock when 1,000 SMS fell due at once. A block is taken in one
 * statement (at most what the bucket holds, at most LEASE_MAX, sized by the callers waiting for it) and
 * spent in this process for at most LEASE_MS; what is left then is dropped, not given back (the bucket
 * counted it spent: conservative). A token may thus be spent up to LEASE_MS after the bucket counted it,
 * so a leased bucket refills over windowMs + JITTER_MARGIN_MS + LEASE_MS instead of windowMs +
 * JITTER_MARGIN_MS (every replica uses the same rate): sends in any window stay within the limit with the
 * same jitter margin as before. Notify's sustained rate: 2,000 / 60.25 s instead of 2,000 / 60.05 s.
 */
export const LEASE_MS = 200;
const LEASE_MAX = 100;
/**
 * Microtask turns a block's fetch waits before it is sized: the sends of one delivery round ask for their
 * tokens a few dozen turns apart (scheduler/delivery-rounds.ts), and the block is sized by who waits for
 * it. Sized at once, the first fetch of a round took one token and a second round trip the rest (issue 18).
 */
const GATHER_TURNS = 64;
/** Buckets at least this large are leased in blocks (Teams' and Slack's per-thread buckets are 1 to 36). */
const LEASE_MIN_CAPACITY = 200;

interface Lease {
  tokens: number;
  /** Epoch ms after which the block's tokens are no longer spent. */
  until: number;
}

export class RateLimitRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** PostgreSQL locks the bucket rows first (replicas queue instead of failing their compare-and-set). */
    private readonly provider: Provider = 'sqlite',
  ) {}

  /**
   * Waits this process already knows about (bucket id → epoch ms). Other replicas only ever spend
   * tokens, so a known wait is a lower bound: skipping the database until then loses nothing and keeps
   * the hot tenant row free for sends that can go.
   */
  private readonly knownWait = new Map<string, number>();

  /**
   * Reserve the next send slot in every bucket of `keys` (tokens may go below zero: the slot is in the
   * future), provided it is at most `maxWaitMs` away; otherwise spend nothing. Reserving instead of
   * "try, sleep, try again" means one database round per send and no herd of waiters on the hot tenant
   * row, and the sends of all replicas line up at exactly the platform's pace.
   */
  async take(keys: RateLimitKey[], maxWaitMs = 0): Promise<TakeResult> {
    if (keys.length === 0) return { ok: true, waitMs: 0 };
    const specs = keys
      .flatMap((k) => k.rules.map((r) => ({ id: `${k.key}|${r.windowMs}`, ...this.bucketOf(r) })))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const nowMs = this.clock.now().getTime();
    let known = 0;
    for (const sp of specs) known = Math.max(known, (this.knownWait.get(sp.id) ?? 0) - nowMs);
    if (known > 0) return { ok: false, waitMs: known };
    const only = specs.length === 1 ? specs[0] : undefined;
    if (only && this.leased(only)) return this.takeLeased(only, maxWaitMs);
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.provider === 'postgres') return await this.takePostgres(specs, maxWaitMs);
        return await this.db.$transaction((tx) => this.takeIn(tx, specs, maxWaitMs));
      } catch (err) {
        const conflict = err instanceof BucketConflict || isRetryable(err);
        if (!conflict || attempt >= 20) throw err;
      }
    }
  }

  /** A rule's bucket; a leased one (PostgreSQL, large) refills over LEASE_MS more (see LEASE_MS). */
  private bucketOf(rule: RateLimitKey['rules'][number]): { capacity: number; perMs: number } {
    const b = bucketFor(rule);
    if (this.provider !== 'postgres' || b.capacity < LEASE_MIN_CAPACITY) return b;
    const over = rule.windowMs + JITTER_MARGIN_MS;
    return { capacity: b.capacity, perMs: (b.perMs * over) / (over + LEASE_MS) };
  }

  private leased(spec: BucketSpec): boolean {
    return this.provider === 'postgres' && spec.capacity >= LEASE_MIN_CAPACITY;
  }

  /** Blocks of tokens this process holds (bucket id → lease), the block being fetched, and who waits. */
  private readonly leases = new Map<string, Lease>();
  private readonly fetching = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, number>();

  /**
   * A take from a leased bucket: a token of this process's block if one is left and the block is fresh;
   * else one caller fetches a new block (the others wait for it, then spend from it), or, with the bucket
   * empty, reserves a single future slot as `takePostgres` does.
   */
  private async takeLeased(spec: BucketSpec, maxWaitMs: number): Promise<TakeResult> {
    for (;;) {
      const nowMs = this.clock.now().getTime();
      const lease = this.leases.get(spec.id);
      if (lease && lease.tokens >= 1 && nowMs < lease.until) {
        lease.tokens--;
        return { ok: true, waitMs: 0 };
      }
      // The block just fetched found the bucket empty (or closed): no slot before then, for anyone here.
      const known = (this.knownWait.get(spec.id) ?? 0) - nowMs;
      if (known > 0) return { ok: false, waitMs: known };
      const pending = this.fetching.get(spec.id);
      if (!pending) break;
      this.waiting.set(spec.id, (this.waiting.get(spec.id) ?? 0) + 1);
      try {
        await pending.catch(() => undefined);
      } finally {
        this.waiting.set(spec.id, (this.waiting.get(spec.id) ?? 1) - 1);
      }
    }
    let done = (): void => undefined;
    this.fetching.set(
      spec.id,
      new Promise<void>((r) => {
        done = r;
      }),
    );
    try {
      for (let turn = 0; turn < GATHER_TURNS; turn++) await Promise.resolve();
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.fetchLease(spec, maxWaitMs);
        } catch (err) {
          const conflict = err instanceof BucketConflict || isRetryable(err);
          if (!conflict || attempt >= 20) throw err;
        }
      }
    } finally {
      this.fetching.delete(spec.id);
      done();
    }
  }

  /**
   * One statement: lock the bucket row, refill it, and take a block of min(LEASE_MAX, waiting callers + 1,
   * whole tokens held) tokens, or, with less than one token, reserve the next slot (tokens below zero).
   * The caller spends one token; the rest are this process's lease for LEASE_MS.
   */
  private async fetchLease(spec: BucketSpec, maxWaitMs: number): Promise<TakeResult> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    if (!this.ensured.has(spec.id)) {
      await this.db.$executeRawUnsafe(
        `INSERT INTO "RateBucket" ("key", "tokens", "updatedAt") VALUES ($1, $2::double precision, $3::timestamp)
         ON CONFLICT ("key") DO NOTHING`,
        spec.id,
        spec.capacity,
        now.toISOString(),
      );
      this.ensured.add(spec.id);
    }
    const want = Math.min(LEASE_MAX, 1 + (this.waiting.get(spec.id) ?? 0));
    const rows = await this.db.$queryRawUnsafe<{ granted: number; after: number; blockedMs: number }[]>(
      `WITH cur AS (
         SELECT "key", LEAST($2::double precision, "tokens" + GREATEST(0, EXTRACT(EPOCH FROM ($4::timestamp - "updatedAt")) * 1000) * $3::double precision) AS level,
                (COALESCE(EXTRACT(EPOCH FROM "blockedUntil") * 1000, 0))::double precision AS "blockedMs"
         FROM "RateBucket" WHERE "key" = $1 FOR UPDATE
       ),
       grant_ AS (
         SELECT "key", level, "blockedMs",
                CASE WHEN "blockedMs" > $6::double precision THEN 0
                     WHEN level >= 1 THEN LEAST($5::double precision, FLOOR(level)) ELSE 1 END AS granted
         FROM cur
       ),
       upd AS (
         UPDATE "RateBucket" b SET "tokens" = g.level - g.granted, "updatedAt" = GREATEST(b."updatedAt", $4::timestamp)
         FROM grant_ g WHERE b."key" = g."key"
         RETURNING b."tokens" AS "after"
       )
       SELECT g.granted::double precision AS granted, u."after"::double precision AS "after", g."blockedMs" FROM grant_ g, upd u`,
      spec.id,
      spec.capacity,
      spec.perMs,
      now.toISOString(),
      want,
      nowMs,
    );
    const row = rows[0];
    if (!row) {
      // The bucket row vanished (cleared by an admin): recreate and take again.
      this.ensured.delete(spec.id);
      throw new BucketConflict('missing bucket');
    }
    const granted = Number(row.granted);
    const blockedMs = Number(row.blockedMs);
    if (granted === 0) {
      // A 429 closed the bucket: nothing was taken; no slot before it opens.
      const wait = blockedMs - nowMs;
      if (wait > maxWaitMs) {
        this.knownWait.set(spec.id, nowMs + wait - maxWaitMs);
        return { ok: false, waitMs: wait - maxWaitMs };
      }
      // Within the inline wait: reserve the slot at its opening, as takePostgres does.
      return this.takePostgres([spec], maxWaitMs);
    }
    const after = Number(row.after);
    if (after >= 0) {
      // A whole block: one token for this caller, the rest leased to this process.
      if (granted > 1) this.leases.set(spec.id, { tokens: granted - 1, until: nowMs + LEASE_MS });
      return { ok: true, waitMs: 0 };
    }
    // Less than one token: a single slot reserved in the future.
    const wait = Math.ceil(-after / spec.perMs);
    if (wait <= maxWaitMs) return { ok: true, waitMs: wait };
    this.knownWait.set(spec.id, nowMs + wait - maxWaitMs);
    await this.db.$executeRawUnsafe(
      `UPDATE "RateBucket" SET "tokens" = "tokens" + 1 WHERE "key" = $1`,
      spec.id,
    );
    return { ok: false, waitMs: wait - maxWaitMs };
  }

  /** Bucket rows known to exist (PostgreSQL), so the insert runs once per key per process. */
  private readonly ensured = new Set<string>();

  /**
   * PostgreSQL: one statement per take. Every replica's sends funnel through the tenant row, so its lock
   * is held for a single UPDATE only: refill, reserve the next slot (tokens may go below zero), and
   * return each bucket's new level; a reservation further away than `maxWaitMs` is handed back.
   */
  private async takePostgres(specs: BucketSpec[], maxWaitMs: number): Promise<TakeResult> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    const missing = specs.filter((sp) => !this.ensured.has(sp.id));
    if (missing.length > 0) {
      await this.db.$executeRawUnsafe(
        `INSERT INTO "RateBucket" ("key", "tokens", "updatedAt")
         VALUES ${missing.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2}::double precision, $${missing.length * 2 + 1}::timestamp)`).join(', ')}
         ON CONFLICT ("key") DO NOTHING`,
        ...missing.flatMap((sp) => [sp.id, sp.capacity]),
        now.toISOString(),
      );
      for (const sp of missing) this.ensured.add(sp.id);
    }
    const n = specs.length;
    const values = specs.map(
      (_, i) => `($${i * 3 + 1}, $${i * 3 + 2}::double precision, $${i * 3 + 3}::double precision)`,
    );
    const rows = await this.db.$queryRawUnsafe<
      { key: string; after: number; perMs: number; blockedMs: number }[]
    >(
      `UPDATE "RateBucket" AS b
       SET "tokens" = LEAST(i.cap, b."tokens" + GREATEST(0, EXTRACT(EPOCH FROM ($${n * 3 + 1}::timestamp - b."updatedAt")) * 1000) * i.per_ms) - 1,
           "updatedAt" = GREATEST(b."updatedAt", $${n * 3 + 1}::timestamp)
       FROM (VALUES ${values.join(', ')}) AS i("key", cap, per_ms)
       WHERE b."key" = i."key"
       RETURNING b."key", b."tokens" AS "after", i.per_ms AS "perMs",
                 (COALESCE(EXTRACT(EPOCH FROM b."blockedUntil") * 1000, 0))::double precision AS "blockedMs"`,
      ...specs.flatMap((sp) => [sp.id, sp.capacity, sp.perMs]),
      now.toISOString(),
    );
    if (rows.length !== n) {
      // A bucket row vanished (cleared by an admin): recreate and take again.
      for (const sp of specs) this.ensured.delete(sp.id);
      throw new BucketConflict('missing bucket');
    }
    let waitMs = 0;
    for (const r of rows) {
      let wait = Number(r.after) < 0 ? Math.ceil(-Number(r.after) / Number(r.perMs)) : 0;
      if (Number(r.blockedMs) > nowMs) wait = Math.max(wait, Number(r.blockedMs) - nowMs);
      if (wait > maxWaitMs) this.knownWait.set(r.key, nowMs + wait - maxWaitMs);
      waitMs = Math.max(waitMs, wait);
    }
    if (waitMs <= maxWaitMs) return { ok: true, waitMs };
    await this.db.$executeRawUnsafe(
      `UPDATE "RateBucket" SET "tokens" = "tokens" + 1 WHERE "key" IN (${specs.map((_, i) => `$${i + 1}`).join(', ')})`,
      ...specs.map((sp) => sp.id),
    );
    return { ok: false, waitMs: waitMs - maxWaitMs };
  }

  /**
   * SQLite (one process): read the buckets, reserve, and write each back with a compare-and-set on
   * (updatedAt, tokens) inside one transaction.
   */
  private async takeIn(tx: Tx, specs: BucketSpec[], maxWaitMs: number): Promise<TakeResult> {
    const now = this.clock.now();
    const nowMs = now.getTime();
    const found = await tx.rateBucket.findMany({ where: { key: { in: specs.map((sp) => sp.id) } } });
    const rows = new Map(found.map((r) => [r.key, r]));
    const next: { spec: BucketSpec; row: (typeof found)[number] | undefined; tokens: number }[] = [];
    let waitMs = 0;
    for (const sp of specs) {
      const row = rows.get(sp.id);
      const elapsed = row ? Math.max(0, nowMs - row.updatedAt.getTime()) : 0;
      const tokens = row ? Math.min(sp.capacity, row.tokens + elapsed * sp.perMs) : sp.capacity;
      let wait = 0;
      if (row?.blockedUntil && row.blockedUntil.getTime() > nowMs) wait = row.blockedUntil.getTime() - nowMs;
      // Below one token the slot is in the future: when the bucket refills to one.
      if (tokens < 1) wait = Math.max(wait, Math.ceil((1 - tokens) / sp.perMs));
      // No slot within maxWaitMs: none can be reserved here before (wait - maxWaitMs) has passed.
      if (wait > maxWaitMs) this.knownWait.set(sp.id, nowMs + wait - maxWaitMs);
      waitMs = Math.max(waitMs, wait);
      next.push({ spec: sp, row, tokens });
    }
    if (waitMs > maxWaitMs) return { ok: false, waitMs: waitMs - maxWaitMs };
    for (const n of next) {
      if (!n.row) {
        await tx.rateBucket.create({ data: { key: n.spec.id, tokens: n.tokens - 1, updatedAt: now } });
        continue;
      }
      const won = await tx.rateBucket.updateMany({
        where: { key: n.spec.id, tokens: n.row.tokens, updatedAt: n.row.updatedAt },
        data: { tokens: n.tokens - 1, updatedAt: n.row.updatedAt > now ? n.row.updatedAt : now },
      });
      if (won.count !== 1) throw new BucketConflict(n.spec.id);
    }
    return { ok: true, waitMs };
  }

  /** 429s heard by this process: bucket id → epoch ms until which the platform asked us to wait. */
  private readonly blocks = new Map<string, number>();

  /** Until when a 429 heard by this process closed any bucket of `keys` (0 = none is closed). */
  blockedUntil(keys: RateLimitKey[]): number {
    let until = 0;
    for (const k of keys)
      for (const rule of k.rules) until = Math.max(until, this.blocks.get(`${k.key}|${rule.windowMs}`) ?? 0);
    return until;
  }

  /** A 429 with Retry-After: close every bucket of `keys` until `until`, for all replicas. */
  async block(keys: RateLimitKey[], until: Date): Promise<void> {
    const now = this.clock.now();
    for (const [id, t] of this.blocks) if (t <= now.getTime()) this.blocks.delete(id);
    for (const k of keys) {
      for (const rule of k.rules) {
        const id = `${k.key}|${rule.windowMs}`;
        this.knownWait.set(id, until.getTime());
        // A leased block is not spent into a closed window.
        this.leases.delete(id);
        this.blocks.set(id, Math.max(this.blocks.get(id) ?? 0, until.getTime()));
        await this.db.rateBucket.upsert({
          where: { key: id },
          create: { key: id, tokens: 0, updatedAt: now, blockedUntil: until },
          update: { blockedUntil: until },
        });
      }
    }
  }
}

/** Two replicas created the same bucket at once, or PostgreSQL broke a lock cycle: take again. */
function isRetryable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: string }).code;
  return (
    code === 'P2002' ||
    code === 'P2034' ||
    /deadlock|could not serialize/i.test(String((err as Error).message))
  );
}
