/**
 * What a claimed run carries from one message to the next (scheduler/deliver.ts): the finish of the message
 * just sent, written in the same transaction as the next message's begin (on SQLite one commit per message
 * of a person's run instead of two: issue 18's 1,000 SMS due at once), or alone before anything else of the
 * next message is written or awaited (a release, a reconcile, a failure).
 */
import type { FinishRequest, OutboxRepository } from '../store/outbox-repository.ts';

export interface RunCarry {
  sent?: { finish: FinishRequest; delivered(): void };
}

/** Take what `carry` holds (the next begin writes it). */
export function takeSent(carry: RunCarry): RunCarry['sent'] {
  const sent = carry.sent;
  carry.sent = undefined;
  return sent;
}

/** Write the finish `carry` still holds, alone (nothing if it holds none). */
export async function writeSent(outbox: OutboxRepository, carry: RunCarry): Promise<void> {
  const sent = takeSent(carry);
  if (!sent) return;
  const f = sent.finish;
  await outbox.finishAttempt(f.messageId, f.worker, f.attemptNo, f.outcome, f.next);
  sent.delivered();
}
