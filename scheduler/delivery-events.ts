/**
 * Who hears about the Deliverer's attempts (scheduler/deliver.ts): metrics hear every attempt outcome;
 * the undeliverable listeners are awaited when a message cannot reach its recipient (issue 13).
 */
import type { ClaimedMessage } from '../store/outbox-repository.ts';
import type { DelivererOptions, DeliveryLogger } from './deliverer-options.ts';

export class DeliveryEvents {
  constructor(
    private readonly options: DelivererOptions,
    private readonly log: DeliveryLogger,
  ) {}

  private readonly attemptListeners: NonNullable<DelivererOptions['onAttempt']>[] = [];

  /** Metrics hear every attempt outcome (sent, throttled, failed, not_found, unreachable, rate_limited). */
  onAttemptOutcome(listener: NonNullable<DelivererOptions['onAttempt']>): void {
    this.attemptListeners.push(listener);
  }

  private readonly undeliverableListeners: ((
    outcome: 'unreachable' | 'not_found',
    message: ClaimedMessage,
  ) => Promise<void>)[] = [];

  /** Awaited after the attempt is recorded (see Deliverer.onUndeliverable). */
  onUndeliverable(
    listener: (outcome: 'unreachable' | 'not_found', message: ClaimedMessage) => Promise<void>,
  ): void {
    this.undeliverableListeners.push(listener);
  }

  /** Tell every listener; a failing one is logged only. */
  async undeliverable(outcome: 'unreachable' | 'not_found', m: ClaimedMessage): Promise<void> {
    for (const l of this.undeliverableListeners) {
      try {
        await l(outcome, m);
      } catch (err) {
        this.log.error({ err, messageId: m.id }, 'undeliverable-message listener failed');
      }
    }
  }

  /** One attempt's outcome: the option's callback, then every listener. */
  emit(...args: Parameters<NonNullable<DelivererOptions['onAttempt']>>): void {
    this.options.onAttempt?.(...args);
    for (const l of this.attemptListeners) l(...args);
  }
}
