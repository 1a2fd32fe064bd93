/**
 * A graceful stop of the deliverer (scheduler/deliver.ts, issue 18): claimed messages whose delivery has
 * not begun are given back at once (RETRYING, due now, no lease: another replica or the next start sends
 * them, not marked as a repeat), and the drains in flight (a claim query, sends waiting for the platform's
 * answer) are waited for until their results have committed, for at most `waitMs`. A send still open past
 * that keeps its claim: when the lease runs out it goes out again, marked as a possible repeat, and the
 * log says so.
 */
import type { ClaimedMessage, OutboxRepository } from '../store/outbox-repository.ts';
import type { DeliveryLogger } from './deliverer-options.ts';

/** Give claims back without an attempt, due now (a stop; a claim made as the stop began). */
export async function giveBack(outbox: OutboxRepository, now: Date, ms: ClaimedMessage[]): Promise<void> {
  await Promise.all(ms.map((m) => outbox.release(m.id, m.claimToken, now, 'given back: the hub stopped')));
}

export async function stopDeliveries(
  inFlight: Set<Promise<unknown>>,
  unsent: Set<ClaimedMessage>,
  back: (ms: ClaimedMessage[]) => Promise<void>,
  log: DeliveryLogger,
  waitMs: number,
): Promise<void> {
  const given = [...unsent];
  unsent.clear();
  const all = Promise.allSettled([...inFlight, back(given)]);
  if (given.length > 0) log.info({ messages: given.length }, 'stopping: gave back the claims not yet sent');
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<false>((r) => {
    if (Number.isFinite(waitMs)) timer = setTimeout(() => r(false), waitMs);
  });
  const done = await Promise.race([all.then(() => true), timeUp]);
  clearTimeout(timer);
  if (!done)
    log.warn(
      { rounds: inFlight.size, waitedMs: waitMs },
      'stopped waiting for deliveries in flight: a send still open keeps its claim until the lease runs out, then goes out again marked as a possible repeat',
    );
}
