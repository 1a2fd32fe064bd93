/**
 * `EnqueueRequest.via` (issue 16, core/ports.ts): which channel a message is pinned to, checked before it
 * is written. An out-of-chat message (EMAIL/SMS) must go to a person and be of a kind that may leave the
 * chat (core/messages/out-of-chat.ts); it gets its own ordered stream per channel, so an e-mail step of
 * the ladder never waits behind a chat message that is being retried to the same person (Teams down is
 * exactly when the e-mail matters).
 */
import { ValidationError } from '../core/errors.ts';
import { isOutOfChatKind } from '../core/messages/out-of-chat.ts';
import type { EnqueueRequest, Platform } from '../core/ports.ts';
import { isOutOfChat } from '../core/ports.ts';

export function viaOf(request: EnqueueRequest): { platform: Platform | null; orderSuffix: string } {
  const via = request.via;
  if (!via) return { platform: null, orderSuffix: '' };
  if (!isOutOfChat(via)) return { platform: via, orderSuffix: '' };
  if (!('staffId' in request.to))
    throw new ValidationError(
      `outbox ${request.idempotencyKey}: via ${via} needs a person (to.staffId)`,
      'via',
    );
  if (!isOutOfChatKind(request.message.kind))
    throw new ValidationError(
      `outbox ${request.idempotencyKey}: message kind '${request.message.kind}' may not be sent via ${via}`,
      'via',
    );
  return { platform: via, orderSuffix: `:${via}` };
}
