/**
 * The Deliverer's collaborators and options (scheduler/deliver.ts): the logger, the conversation lookup,
 * the shared rate limiter, the tuning knobs and listeners, and what one drain reports.
 */
import type { DeliveryResult, Platform, RateLimitKey } from '../core/ports.ts';
import type { ClaimedMessage } from '../store/outbox-repository.ts';
import type { IdentityDto, StaffDto } from '../store/staff-repository.ts';
import type { BackoffPolicy } from './backoff.ts';

export interface DeliveryLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ConversationLookup {
  conversation(
    id: string,
  ): Promise<{ platform: Platform; conversationId: string; tenantId: string; reference: unknown } | null>;
}

/**
 * Tokens per platform key: shared across replicas on PostgreSQL (store/rate-limit-repository.ts), in
 * memory on SQLite, which is one process (scheduler/memory-rate-limiter.ts). Same semantics.
 */
export interface RateLimiter {
  /** Reserve a slot at most `maxWaitMs` away (ok, wait `waitMs` then send), or none (retry in `waitMs`). */
  take(keys: RateLimitKey[], maxWaitMs: number): Promise<{ ok: boolean; waitMs: number }>;
  block(keys: RateLimitKey[], until: Date): Promise<void>;
  /** Epoch ms until which a 429 heard by this process closed any of `keys` (0 = open). */
  blockedUntil?(keys: RateLimitKey[]): number;
}

export interface DelivererOptions {
  workerId: string;
  /**
   * People served at once per loop (default 10; a person's run of messages goes out one after another).
   * Most of a send's time is spent waiting for its rate-limit slot (no connection held), and the attempts
   * of concurrent sends are written in one transaction (OutboxRepository's group commit). More at once
   * means slots reserved further ahead, which a loaded machine turns into late, bunched sends.
   */
  parallel?: number;
  /** Concurrent delivery loops in `start` (default 2). */
  loops?: number;
  /** Consulted before every send to Teams/Slack; without it only 429s slow delivery down. */
  rateLimiter?: RateLimiter;
  /**
   * A limiter wait up to this long is spent holding the claim (the platform's pace); a longer one gives
   * the message back with nextAttemptAt = the wait, so other people's messages go first.
   */
  maxInlineWaitMs?: number;
  /** Real timers by default; tests pass one that moves a FakeClock. */
  sleep?: (ms: number) => Promise<void>;
  /** People per claim (chat; default 20). */
  batchSize?: number;
  /**
   * E-mail and SMS people per claim besides `batchSize` (default 100; issue 18). Their provider's limit is
   * per API key and per minute, and a person's run is a chain of writes that only more people at once
   * (larger group commits) shortens: 1,000 SMS due at once to 100 people go in one claim, not five.
   */
  outOfChatBatch?: number;
  leaseMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Called once when a message's recipient has no reachable channel (tell the admin). */
  onUnreachable?: (message: ClaimedMessage) => Promise<void>;
  /** Called after each attempt (metrics). */
  onAttempt?: (
    outcome: DeliveryResult['outcome'] | 'unreachable' | 'rate_limited',
    message: ClaimedMessage,
    platform?: Platform,
  ) => void;
}

/** The recipients of a claimed batch, read once for the batch. */
export type People = Map<string, StaffDto & { identities: IdentityDto[] }>;

export interface DrainReport {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
}
