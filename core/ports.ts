/**
 * Cross-cutting ports: small typed interfaces the core depends on and adapters implement (habit 2).
 * Feature-specific repository ports live beside their feature (e.g. core/deadlines/ports.ts).
 */
import type { FormSpec } from './forms/form-spec.ts';
import type { ActionVerb, OutgoingMessage, ResolvedState, Subject } from './messages/outgoing-message.ts';
import type { Role } from './staff/roles.ts';

/** Time is injected; core never calls Date.now(). */
export interface Clock {
  now(): Date;
}

/**
 * Where a message goes. CONSOLE, TEAMS and SLACK are the organisation's chat; EMAIL and SMS (issue 16) are
 * out-of-chat channels behind it (bots/email, bots/sms): they deliver only to the recipient's VERIFIED
 * contact method of that kind (store/contact-repository.ts) and only the content-free kinds listed in
 * core/messages/out-of-chat.ts `OUT_OF_CHAT_KINDS`; any other kind fails permanently.
 */
export type Platform = 'CONSOLE' | 'TEAMS' | 'SLACK' | 'EMAIL' | 'SMS';

/** The organisation's chat: where people act (buttons, commands). E-mail and SMS only carry messages out. */
export type ChatPlatform = 'CONSOLE' | 'TEAMS' | 'SLACK';

/** The out-of-chat platforms (a message reaches them only when enqueued with `via`). */
export const OUT_OF_CHAT_PLATFORMS = ['EMAIL', 'SMS'] as const satisfies readonly Platform[];
export type OutOfChatPlatform = (typeof OUT_OF_CHAT_PLATFORMS)[number];
export const isOutOfChat = (p: Platform): p is OutOfChatPlatform => p === 'EMAIL' || p === 'SMS';

/** A member of staff acting through a channel, resolved from their platform identity. */
export interface Actor {
  staffId: string;
  orgId: string;
  displayName: string;
  roles: Role[];
}

/** Where one outbox message goes. */
export type DeliveryTarget =
  | {
      kind: 'person';
      staffId: string;
      displayName: string;
      /** The recipient's identity on this channel (absent for the console). */
      identity?: { platformUserId: string; tenantId: string; conversationRef: unknown };
    }
  | {
      kind: 'conversation';
      conversationId: string;
      tenantId: string;
      reference: unknown;
    };

/**
 * How a send went, classified by the adapter (habit 6): only `throttled` and transient `failed`
 * are retried; `not_found` (bot removed, user gone) is final.
 */
export type DeliveryResult =
  | { outcome: 'sent'; platformRef?: string }
  | { outcome: 'throttled'; retryAfterMs?: number }
  | { outcome: 'not_found'; error: string }
  | { outcome: 'failed'; error: string; transient: boolean; retryAfterMs?: number };

/**
 * A channel adapter. `send` must be safe to call with the same idempotency key after a crash:
 * adapters that can look a message up by key implement `reconcile`, which the outbox consults
 * for an attempt whose outcome was never recorded (the process died mid-send).
 */
export interface ChannelPort {
  readonly platform: Platform;
  /** Can this channel reach the target now (an identity, a conversation reference)? */
  canReach(target: DeliveryTarget): boolean;
  send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult>;
  reconcile?(
    idempotencyKey: string,
    target: DeliveryTarget,
  ): Promise<'delivered' | 'not_delivered' | 'unknown'>;
  /**
   * The platform rate limits this send counts against (e.g. per conversation and per tenant); the
   * Deliverer takes a token from each, shared by all replicas, before calling `send`. Optional: without
   * it, core/delivery/platform-rate-limits.ts `defaultLimitKeys` applies the published Teams/Slack limits.
   */
  limitKey?(target: DeliveryTarget): RateLimitKey[];
}

/** At most `limit` sends in any window of `windowMs`. */
export interface RateRule {
  limit: number;
  windowMs: number;
  /**
   * Sends that may go at once (the token bucket's capacity; core/delivery/platform-rate-limits.ts
   * bucketFor). Default 2% of `limit`; the rest of the window's budget is spread over the window.
   */
  burst?: number;
}

/** One shared limiter, e.g. "teams:conv:<tenant>:<conversation>", with the platform's rules for it. */
export interface RateLimitKey {
  key: string;
  rules: RateRule[];
}

/** A request to put a message in the durable outbox. */
export interface EnqueueRequest {
  /** Stable across retries of the planner: the same key is never enqueued twice. */
  idempotencyKey: string;
  orgId: string;
  to: { staffId: string } | { conversationId: string };
  message: OutgoingMessage;
  /** 0 = safeguarding (jumps the queue) … 9 = bulk digest. */
  priority?: number;
  reminderId?: string;
  /** Do not deliver before this time (quiet hours). */
  notBefore?: Date;
  /**
   * Force the channel for this message (issue 16). Absent: the ChannelRouter picks the first enabled chat
   * channel the person has an identity on (as before). 'EMAIL' | 'SMS': delivered by that out-of-chat
   * channel to the person's VERIFIED contact method of that kind; with none (or no transport configured)
   * the delivery result is `not_found`: final, recorded as a failed attempt, and the Deliverer's
   * onUndeliverable listeners hear it (the safeguarding ladder moves on at once, as for chat). A later
   * permanent failure reported by the provider (a Notify status callback, an SMTP 5xx bounce) is told to
   * the same listeners. Only `to: { staffId }` may carry an out-of-chat `via`, and only with a kind in
   * OUT_OF_CHAT_KINDS (enqueue refuses anything else). A chat platform in `via` pins that chat channel.
   */
  via?: Platform;
}

export interface OutboxPort {
  /** Returns false when a message with this key already exists (nothing is written). */
  enqueue(request: EnqueueRequest): Promise<boolean>;
}

export interface AuditEventInput {
  orgId?: string | null;
  actorId?: string | null;
  /** 'staff' | 'system' | 'import' | 'admin-cli' */
  actorKind: string;
  action: string;
  subjectType: string;
  subjectId: string;
  studentId?: string | null;
  channel?: Platform | 'CLI' | 'SYSTEM' | 'WEB' | null;
  /** Never names or free text about a child: ids, codes, counts. */
  details?: Record<string, unknown>;
}

/** Append-only, hash-chained audit trail. */
export interface AuditLog {
  record(event: AuditEventInput): Promise<void>;
}

/** A button pressed or a card/form action, translated by an adapter. */
export interface InboundAction {
  actor: Actor;
  via: ChatPlatform;
  verb: ActionVerb;
  subject: Subject;
  args: Record<string, string>;
}

export interface ActionResult {
  /** Replace the original message with this (who did what, when). */
  resolved?: ResolvedState;
  /** Say this to the actor (privately). */
  reply?: OutgoingMessage;
  /** Open this form for the actor (Teams card, Slack modal, console guided prompt), e.g. `open_notes_form`. */
  form?: FormSpec;
}
