/**
 * The delivery loop: claims due outbox messages, sends each through the channel that reaches its
 * recipient, records every attempt, retries transient failures with backoff, and never sends a message
 * twice (the idempotency key, the lease, and `reconcile` for a send that a crash left in doubt).
 */
import { defaultLimitKeys } from '../core/delivery/platform-rate-limits.ts';
import { withResendNotice } from '../core/messages/outgoing-message.ts';
import type { ChannelPort, Clock, DeliveryResult, DeliveryTarget, RateLimitKey } from '../core/ports.ts';
import { isOutOfChat } from '../core/ports.ts';
import type { ClaimedMessage, OutboxRepository } from '../store/outbox-repository.ts';
import type { StaffRepository } from '../store/staff-repository.ts';
import { type BackoffPolicy, defaultBackoff, nextDelayMs } from './backoff.ts';
import type { ChannelRouter } from './channel-router.ts';
import type {
  ConversationLookup,
  DelivererOptions,
  DeliveryLogger,
  DrainReport,
  People,
} from './deliverer-options.ts';
import { type RunCarry, takeSent, writeSent } from './delivery-carry.ts';
import { DeliveryEvents } from './delivery-events.ts';
import { DeliveryLoops } from './delivery-loops.ts';
import { DeliveryOutcomes } from './delivery-outcome.ts';
import { DeliveryRounds } from './delivery-rounds.ts';
import { resolveRoute } from './delivery-route.ts';
import { giveBack, stopDeliveries } from './delivery-stop.ts';
import { SendWindows } from './send-window.ts';

// The collaborators and options live in deliverer-options.ts, the polling loops in delivery-loops.ts,
// the attempt listeners in delivery-events.ts, which channel reaches a message in delivery-route.ts, and
// what an attempt's answer (or hold) writes in delivery-outcome.ts.
export type {
  ConversationLookup,
  DelivererOptions,
  DeliveryLogger,
  DrainReport,
  RateLimiter,
} from './deliverer-options.ts';

export class Deliverer {
  /** This process's own sends per rate-limit key, in exact sliding windows (the last guard). */
  private readonly windows = new SendWindows();
  /** Every drain from its first line (the claim query included) until its last write has committed. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Claimed messages whose delivery has not begun: `stop` gives them back at once. */
  private readonly unsent = new Set<ClaimedMessage>();
  private readonly loops: DeliveryLoops;
  private readonly events: DeliveryEvents;
  private readonly outcomes: DeliveryOutcomes;
  private readonly batchSize: number;
  private readonly outOfChatBatch: number;
  private readonly leaseMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly maxInlineWaitMs: number;
  private readonly parallel: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly staff: StaffRepository,
    private readonly router: ChannelRouter,
    private readonly conversations: ConversationLookup,
    private readonly clock: Clock,
    private readonly log: DeliveryLogger,
    private readonly options: DelivererOptions,
  ) {
    this.batchSize = options.batchSize ?? 20;
    this.outOfChatBatch = options.outOfChatBatch ?? 100;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoff = options.backoff ?? defaultBackoff;
    this.random = options.random ?? Math.random;
    // Never wait so long that the claim's lease runs out (another replica would take the message).
    this.maxInlineWaitMs = Math.min(options.maxInlineWaitMs ?? 1_500, this.leaseMs / 4);
    this.parallel = Math.max(1, options.parallel ?? 10);
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.loops = new DeliveryLoops(() => this.drainOnce(), log);
    this.events = new DeliveryEvents(options, log);
    this.outcomes = new DeliveryOutcomes(
      outbox,
      log,
      this.events,
      this.windows,
      options,
      this.backoff,
      this.random,
    );
  }

  private get stopping(): boolean {
    return this.loops.stopping;
  }

  /** The rate-limit keys this send counts against (the adapter's own, else the published defaults). */
  private limitKeys(channel: ChannelPort, target: DeliveryTarget): RateLimitKey[] {
    if (!this.options.rateLimiter) return [];
    return channel.limitKey?.(target) ?? defaultLimitKeys(channel.platform, target);
  }

  /**
   * Reserve a send slot on every key. `ok`: the slot is `waitMs` from now (0 = at once); not ok: no slot
   * is near, try again in `waitMs`.
   */
  private async reserve(keys: RateLimitKey[]): Promise<{ ok: boolean; waitMs: number }> {
    const limiter = this.options.rateLimiter;
    if (!limiter || keys.length === 0) return { ok: true, waitMs: 0 };
    return limiter.take(keys, this.stopping ? 0 : this.maxInlineWaitMs);
  }

  /** Metrics hear every attempt outcome (sent, throttled, failed, not_found, unreachable, rate_limited). */
  onAttemptOutcome(listener: NonNullable<DelivererOptions['onAttempt']>): void {
    this.events.onAttemptOutcome(listener);
  }

  /**
   * Awaited after the attempt is recorded, when no channel reaches the recipient or the platform no longer
   * knows them: the sender is the one that decides who is unreachable, at the moment it sends (issue 13;
   * the safeguarding ladder tells the admins and steps on at once). A failing listener is logged only.
   */
  onUndeliverable(
    listener: (outcome: 'unreachable' | 'not_found', message: ClaimedMessage) => Promise<void>,
  ): void {
    this.events.onUndeliverable(listener);
  }

  /**
   * A provider reported, after the send, that a message was not delivered for good (a GOV.UK Notify
   * permanent-failure callback, issue 16): tell the same listeners as a `not_found` at send time.
   */
  reportUndeliverable(m: ClaimedMessage): Promise<void> {
    return this.events.undeliverable('not_found', m);
  }

  /** Claim one batch and deliver it. Messages for different people go out concurrently; one person's in order. */
  async drainOnce(): Promise<DrainReport> {
    const report: DrainReport = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
    if (this.stopping) return report;
    // Tracked from here, before the claim query: a stop waits for a claim in flight too (issue 18).
    const work = this.drain(report);
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
    return report;
  }

  private async drain(report: DrainReport): Promise<void> {
    const batch = await this.outbox.claim(
      this.options.workerId,
      this.batchSize,
      this.leaseMs,
      this.outOfChatBatch,
    );
    report.claimed = batch.length;
    if (batch.length === 0) return;
    // The hub began stopping while this claim was made: give it all back, nothing sent.
    if (this.stopping) {
      report.retrying += batch.length;
      await this.giveBack(batch);
      return;
    }
    for (const m of batch) this.unsent.add(m);
    try {
      await this.deliverBatch(batch, report);
    } finally {
      for (const m of batch) this.unsent.delete(m);
    }
  }

  private async deliverBatch(batch: ClaimedMessage[], report: DrainReport): Promise<void> {
    // The recipients of the whole batch and their identities in one query, not two per message.
    const people = await this.staff.withIdentities(
      batch.flatMap((m) => (m.recipientId ? [m.recipientId] : [])),
    );
    // A person's messages (a run claimed together, in order) go out one after another in one worker;
    // different people's concurrently, at most `parallel` at once per loop.
    const runs = new Map<string, ClaimedMessage[]>();
    for (const m of batch) runs.set(m.orderKey, [...(runs.get(m.orderKey) ?? []), m]);
    // E-mail and SMS runs (issue 16) all go at once: their provider's limit is per API key and per minute
    // (Notify: 3,000), so there are no far-ahead slots to bunch up, and each person's run is a chain of
    // database turns that only more people at once (larger group commits) shortens; they keep in step
    // (delivery-rounds.ts) so each turn is one group. Chat runs: `parallel` at a time.
    const isOoc = (run: ClaimedMessage[]) => !!run[0]?.via && isOutOfChat(run[0].via);
    const queue = [...runs.values()].filter((run) => !isOoc(run));
    const oocRuns = [...runs.values()].filter(isOoc);
    const rounds = new DeliveryRounds(oocRuns.length, this.sleep);
    const claimedAt = this.clock.now().getTime();
    const deliverRun = async (run: ClaimedMessage[], inStep?: DeliveryRounds) => {
      // A sent message's finish is written with the next message's begin (delivery-carry.ts).
      const carry: RunCarry = {};
      try {
        for (const [i, m] of run.entries()) {
          if (i > 0) await inStep?.arrive();
          // A stop gave this message (and the rest of the run) back before its delivery began.
          if (!this.unsent.has(m)) {
            report.retrying += run.length - i;
            break;
          }
          // Late in a long run the claims' leases run low: give the rest back rather than risk them.
          const stale = i > 0 && this.clock.now().getTime() - claimedAt > this.leaseMs / 2;
          if (stale) await writeSent(this.outbox, carry);
          else this.unsent.delete(m);
          const state = stale ? 'HELD' : await this.deliverOne(m, people, carry, i < run.length - 1);
          if (state === 'SENT') report.sent++;
          else if (state === 'FAILED') report.failed++;
          // A message still to be retried holds the person's later ones back: they wait for it.
          if (state === 'RETRYING' || state === 'HELD') {
            // Only those a stop has not given back already.
            const rest = run.slice(state === 'HELD' ? i : i + 1).filter((r) => this.unsent.delete(r));
            report.retrying += rest.length + (state === 'RETRYING' ? 1 : 0);
            await Promise.all(
              rest.map((r) =>
                this.outbox.release(r.id, r.claimToken, this.clock.now(), 'waiting for an earlier message'),
              ),
            );
            break;
          }
        }
      } finally {
        // A sent message's finish still carried (its run was cut short by a stop) is written now.
        await writeSent(this.outbox, carry);
      }
    };
    const worker = async () => {
      for (let run = queue.shift(); run; run = queue.shift()) await deliverRun(run);
    };
    const inStep = async (run: ClaimedMessage[]) => {
      try {
        await deliverRun(run, rounds);
      } finally {
        rounds.leave();
      }
    };
    const width = Math.min(queue.length, this.parallel);
    await Promise.all([...Array.from({ length: width }, worker), ...oocRuns.map(inStep)]);
  }

  /** Drain until nothing is due (tests, CLI). */
  drainAll(maxRounds = 1000): Promise<DrainReport> {
    return this.loops.drainAll(maxRounds);
  }

  /**
   * Run the delivery loop. Two loops by default: while one batch waits for its rate-limit slots, the
   * other claims the next, so the platform's pace is kept without a gap between batches.
   */
  start(intervalMs: number, loops = this.options.loops ?? 2): void {
    this.loops.start(intervalMs, loops);
  }

  /** Loops waiting out their poll interval (/healthz, tests). */
  get idleLoops(): number {
    return this.loops.idleLoops;
  }

  /** New urgent work was committed (a safeguarding concern): an idle loop claims at once. */
  wake(): void {
    this.loops.wake();
  }

  /**
   * Graceful shutdown: stop claiming, give back at once the claims whose delivery has not begun, and wait
   * (at most `waitMs`) for the drains in flight to commit (scheduler/delivery-stop.ts).
   */
  async stop(waitMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.loops.halt();
    await stopDeliveries(this.inFlight, this.unsent, (ms) => this.giveBack(ms), this.log, waitMs);
  }

  private giveBack(ms: ClaimedMessage[]): Promise<void> {
    return giveBack(this.outbox, this.clock.now(), ms);
  }

  /** Another worker took this message while we waited (our lease ran out): leave it to them. */
  private lostClaim(m: ClaimedMessage): 'RETRYING' {
    this.log.warn(
      { messageId: m.id, worker: this.options.workerId },
      'claim lost before sending; not sending',
    );
    return 'RETRYING';
  }

  /**
   * Deliver one message of a claimed run. `carry.sent` (the run's previous message, sent) is written with
   * this message's begin, or alone before any other write or wait; when this one is sent and `hasNext`, its
   * finish is left in `carry` for the next message's begin.
   */
  private async deliverOne(
    m: ClaimedMessage,
    people: People,
    carry: RunCarry = {},
    hasNext = false,
  ): Promise<'SENT' | 'RETRYING' | 'FAILED'> {
    try {
      return await this.deliverCarrying(m, people, carry, hasNext);
    } finally {
      // A failure before the begin: the previous message's finish is still written.
      if (carry.sent?.finish.messageId !== m.id) await writeSent(this.outbox, carry);
    }
  }

  private async deliverCarrying(
    m: ClaimedMessage,
    people: People,
    carry: RunCarry,
    hasNext: boolean,
  ): Promise<'SENT' | 'RETRYING' | 'FAILED'> {
    const worker = m.claimToken;
    const now = this.clock.now().getTime();
    const route = await resolveRoute(m, people, this.conversations, this.router);
    if (!route) {
      await writeSent(this.outbox, carry);
      this.events.emit('unreachable', m);
      if (m.attempts === 0) await this.options.onUnreachable?.(m);
      const attemptNo = await this.outbox.beginAttempt(m.id, worker, this.leaseMs);
      if (attemptNo === null) return this.lostClaim(m);
      const giveUp = await this.outbox.outOfTries(m.id, attemptNo, m.maxAttempts);
      const delay = nextDelayMs(attemptNo, this.backoff, this.random);
      await this.outbox.finishAttempt(m.id, worker, attemptNo, 'NOT_FOUND', {
        state: giveUp ? 'FAILED' : 'RETRYING',
        nextAttemptAt: new Date(now + delay),
        error: 'no enabled channel can reach the recipient',
      });
      this.log.warn({ messageId: m.id, recipientId: m.recipientId, attemptNo }, 'recipient unreachable');
      await this.events.undeliverable('unreachable', m);
      return giveUp ? 'FAILED' : 'RETRYING';
    }
    const { channel, target } = route;
    const gate = this.outcomes.gates.get(channel.platform) ?? 0;
    if (gate > now) {
      await writeSent(this.outbox, carry);
      await this.outbox.release(m.id, worker, new Date(gate), `${channel.platform} throttled`);
      return 'RETRYING';
    }
    const limits = this.limitKeys(channel, target);
    const slot = await this.reserve(limits);
    if (!slot.ok) {
      await writeSent(this.outbox, carry);
      // Backpressure: the platform's limit is reached for this thread or tenant; try again when it opens.
      await this.outbox.release(
        m.id,
        worker,
        new Date(this.clock.now().getTime() + slot.waitMs),
        'rate limited',
      );
      this.events.emit('rate_limited', m, channel.platform);
      return 'RETRYING';
    }
    // The slot is reserved: wait for it while the attempt is recorded, so that the platform call follows
    // the slot at once instead of a database round trip later (late sends bunch up and trip the limit).
    const ready = slot.waitMs > 0 ? this.sleep(slot.waitMs) : undefined;
    let outgoing = m.message;
    if (m.inDoubt) {
      await writeSent(this.outbox, carry);
      await ready;
      const seen = channel.reconcile ? await channel.reconcile(m.idempotencyKey, target) : 'unknown';
      // The channel cannot say whether the first send arrived: send it again, marked as a repeat.
      if (seen === 'unknown') outgoing = withResendNotice(m.message);
      if (seen === 'delivered') {
        const attemptNo = await this.outbox.beginAttempt(m.id, worker, this.leaseMs);
        if (attemptNo === null) return this.lostClaim(m);
        await this.outbox.finishAttempt(m.id, worker, attemptNo, 'SENT', {
          platform: channel.platform,
          state: 'SENT',
          error: 'reconciled after restart',
        });
        this.log.info({ messageId: m.id }, 'in-doubt message found delivered; not sending again');
        return 'SENT';
      }
    }
    // Renews the claim: the platform call below starts with a full lease ahead of it.
    let leaseFrom = this.clock.now().getTime();
    const previous = takeSent(carry);
    const attemptNo = await this.outbox.beginAttempt(m.id, worker, this.leaseMs, previous?.finish);
    previous?.delivered();
    await ready;
    if (attemptNo === null) return this.lostClaim(m);
    // A slow machine stretched the wait: renew the lease so the send still has most of one ahead of it.
    if (this.clock.now().getTime() - leaseFrom > this.leaseMs / 4) {
      leaseFrom = this.clock.now().getTime();
      if (!(await this.outbox.renewLease(m.id, worker, this.leaseMs))) return this.lostClaim(m);
    }
    // A 429 heard while this send waited for its slot closed the window: hold it rather than send into it.
    const attempt = { m, attemptNo, platform: channel.platform };
    const blockedUntil = this.options.rateLimiter?.blockedUntil?.(limits) ?? 0;
    if (blockedUntil > this.clock.now().getTime())
      return this.outcomes.held(attempt, blockedUntil, 'the platform asked to wait');
    // Sends that left late bunch up with those on time: hold this one until every window has room.
    const hold = await this.windows.holdThenRecord(limits, this.clock, this.sleep, this.maxInlineWaitMs);
    if (hold > 0)
      return this.outcomes.held(attempt, this.clock.now().getTime() + hold, 'the platform window is full');
    // The window hold can outlast a lease: never send on a claim that may have run out (another replica
    // could have taken the message, found it not delivered, and sent it). Renew first, or leave it.
    if (this.clock.now().getTime() - leaseFrom > this.leaseMs / 4) {
      if (!(await this.outbox.renewLease(m.id, worker, this.leaseMs))) return this.lostClaim(m);
    }
    // The hub began stopping while this send waited for its slot: give it back rather than send it now.
    if (this.stopping) return this.outcomes.held(attempt, this.clock.now().getTime(), 'the hub is stopping');
    let result: DeliveryResult;
    try {
      result = await channel.send(target, outgoing, { idempotencyKey: m.idempotencyKey });
    } catch (err) {
      result = {
        outcome: 'failed',
        error: err instanceof Error ? err.message : String(err),
        transient: true,
      };
    }
    this.events.emit(result.outcome, m, channel.platform);
    // Retry-After and backoff count from the answer, not from the start of this delivery (which may be
    // a slot wait of up to maxInlineWaitMs earlier: a wait counted from then could already be over).
    return this.outcomes.answered(attempt, limits, result, this.clock.now().getTime(), carry, hasNext);
  }
}
