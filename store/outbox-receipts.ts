/**
 * Delivery receipts that come after the send (issue 16): a GOV.UK Notify status callback names our
 * `reference` (the outbox idempotency key). A message the provider could not deliver for good is moved
 * SENT -> FAILED with an attempt row of its own (a failed attempt, as a refusal at send time would have
 * been), once: a repeated callback finds it FAILED already and changes nothing.
 */
import { outgoingMessageSchema } from '../core/messages/outgoing-message.ts';
import type { Clock } from '../core/ports.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';
import type { ClaimedMessage } from './outbox-repository.ts';

const PAYLOAD_CONTEXT = 'OutboxMessage.payloadEnc';

export class OutboxReceipts {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
  ) {}

  async byKey(idempotencyKey: string) {
    return this.db.outboxMessage.findUnique({
      where: { idempotencyKey },
      select: { id: true, orgId: true, state: true, recipientId: true, platform: true, attempts: true },
    });
  }

  /**
   * Mark a sent message undelivered (`who` = the reporter, e.g. "notify-callback"). Returns the message
   * as the Deliverer's undeliverable listeners see it, or null if it was not SENT (unknown, or already
   * marked by an earlier callback).
   */
  async markUndelivered(idempotencyKey: string, error: string, who: string): Promise<ClaimedMessage | null> {
    const now = this.clock.now();
    return this.db.$transaction(async (tx) => {
      const row = await tx.outboxMessage.findUnique({ where: { idempotencyKey } });
      if (!row || row.state !== 'SENT') return null;
      const moved = await tx.outboxMessage.updateMany({
        where: { id: row.id, state: 'SENT' },
        data: { state: 'FAILED', attempts: { increment: 1 }, lastError: error.slice(0, 500) },
      });
      if (moved.count !== 1) return null;
      await tx.deliveryAttempt.create({
        data: {
          messageId: row.id,
          attemptNo: row.attempts + 1,
          worker: who,
          startedAt: now,
          finishedAt: now,
          outcome: 'FAILED',
          error: error.slice(0, 500),
          platform: row.platform,
        },
      });
      return {
        id: row.id,
        idempotencyKey: row.idempotencyKey,
        orgId: row.orgId,
        recipientId: row.recipientId,
        conversationId: null,
        via: row.platform,
        orderKey: row.orderKey,
        priority: row.priority,
        attempts: row.attempts + 1,
        maxAttempts: row.maxAttempts,
        message: outgoingMessageSchema.parse(this.cipher.decryptJson(row.payloadEnc, PAYLOAD_CONTEXT)),
        inDoubt: false,
        claimToken: '',
        createdAt: row.createdAt,
      };
    });
  }
}
