/**
 * What the deliverer (deliver.ts) records once an attempt has begun: a send held back before the platform
 * call (the platform asked to wait, or the send window is full), and the platform's answer (sent,
 * throttled, not found, failed): the attempt's finish on the outbox row, the retry's moment (Retry-After
 * or backoff, counted from the answer), the rate-limit windows a 429 closes, and the listeners told.
 */
import type { DeliveryResult, Platform, RateLimitKey } from '../core/ports.ts';
import type { ClaimedMessage, OutboxRepository } from '../store/outbox-repository.ts';
import { type BackoffPolicy, nextDelayMs } from './backoff.ts';
import type { DelivererOptions, DeliveryLogger } from './deliverer-options.ts';
import { type RunCarry, writeSent } from './delivery-carry.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import type { SendWindows } from './send-window.ts';

/** One begun attempt: the message, its attempt number and the platform it goes through. */
export interface Attempt {
  m: ClaimedMessage;
  attemptNo: number;
  platform: Platform;
}

export class DeliveryOutcomes {
  /**
   * Per platform, the moment this process may send again after a 429 from a channel with no rate-limit
   * keys (a channel with keys closes the shared buckets instead).
   */
  readonly gates = new Map<Platform, number>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly log: DeliveryLogger,
    private readonly events: DeliveryEvents,
    private readonly windows: SendWindows,
    private readonly options: DelivererOptions,
    private readonly backoff: BackoffPolicy,
    private readonly random: () => number,
  ) {}

  /** Not sent, held until `until` (ms) because `why`: the attempt is throttled, no try used up. */
  async held(a: Attempt, until: number, why: string): Promise<'RETRYING'> {
    await this.outbox.finishAttempt(a.m.id, a.m.claimToken, a.attemptNo, 'THROTTLED', {
      platform: a.platform,
      state: 'RETRYING',
      nextAttemptAt: new Date(until),
      error: `held, not sent: ${why}`,
    });
    this.events.emit('rate_limited', a.m, a.platform);
    return 'RETRYING';
  }

  /**
   * The platform answered `result` at `answeredAt` (ms). A sent message's finish is left in `carry` when
   * the run has a next message and the outbox writes it with that message's begin (delivery-carry.ts).
   */
  async answered(
    a: Attempt,
    limits: RateLimitKey[],
    result: DeliveryResult,
    answeredAt: number,
    carry: RunCarry,
    hasNext: boolean,
  ): Promise<'SENT' | 'RETRYING' | 'FAILED'> {
    const { m, attemptNo, platform } = a;
    const worker = m.claimToken;
    switch (result.outcome) {
      case 'sent': {
        const ref = result.platformRef ? { platformRef: result.platformRef } : {};
        const next = { platform, state: 'SENT' as const, ...ref };
        const delivered = () =>
          this.log.info({ messageId: m.id, platform, attemptNo, kind: m.message.kind }, 'delivered');
        // The next message of the run writes this finish with its begin (one transaction or statement).
        carry.sent = { finish: { messageId: m.id, worker, attemptNo, outcome: 'SENT', next }, delivered };
        if (!hasNext) await writeSent(this.outbox, carry);
        return 'SENT';
      }
      case 'throttled': {
        const delay = nextDelayMs(attemptNo, this.backoff, this.random, result.retryAfterMs);
        // Retry-After closes the shared buckets of this thread/tenant for every replica; a channel with
        // no limit keys closes this process's gate for the whole platform instead.
        this.windows.widen(limits, answeredAt);
        if (limits.length > 0)
          await this.options.rateLimiter?.block(
            limits,
            new Date(answeredAt + (result.retryAfterMs ?? delay)),
          );
        else this.gates.set(platform, answeredAt + (result.retryAfterMs ?? delay));
        // A 429 is the platform asking us to wait, not a failure of this message: it does not use up tries.
        await this.outbox.finishAttempt(m.id, worker, attemptNo, 'THROTTLED', {
          platform,
          state: 'RETRYING',
          nextAttemptAt: new Date(answeredAt + delay),
          ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
          error: 'throttled',
        });
        this.log.warn({ messageId: m.id, platform, retryAfterMs: result.retryAfterMs }, 'throttled');
        return 'RETRYING';
      }
      case 'not_found':
        await this.outbox.finishAttempt(m.id, worker, attemptNo, 'NOT_FOUND', {
          platform,
          state: 'FAILED',
          error: result.error,
        });
        this.log.warn({ messageId: m.id, platform }, 'recipient not found on platform');
        await this.events.undeliverable('not_found', m);
        return 'FAILED';
      case 'failed': {
        // Attempts held or throttled earlier used up no try (a 429 is not this message's failure).
        const giveUp = !result.transient || (await this.outbox.outOfTries(m.id, attemptNo, m.maxAttempts));
        const delay = nextDelayMs(attemptNo, this.backoff, this.random, result.retryAfterMs);
        await this.outbox.finishAttempt(m.id, worker, attemptNo, 'FAILED', {
          platform,
          state: giveUp ? 'FAILED' : 'RETRYING',
          nextAttemptAt: new Date(answeredAt + delay),
          error: result.error.slice(0, 500),
        });
        this.log.warn({ messageId: m.id, platform, attemptNo, giveUp }, 'delivery failed');
        return giveUp ? 'FAILED' : 'RETRYING';
      }
    }
  }
}
