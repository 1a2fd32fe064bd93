/**
 * The e-mail and SMS channels (issue 16): ChannelPorts that deliver only to the recipient's verified contact
 * method of their kind, only the allowlisted kinds, each rebuilt from its fixed template
 * (core/messages/out-of-chat.ts), through one configured transport (SMTP, Microsoft Graph, GOV.UK Notify).
 *
 * Results (habit 6): no method, or the provider refuses the address for good (SMTP 5xx, Notify 400 on the
 * recipient) -> `not_found` (final; the Deliverer tells the safeguarding ladder, which moves on at once);
 * a kind that may not leave the chat -> `failed`, not transient; 429 -> `throttled`; 4xx/5xx from the
 * server or the network -> transient `failed`. The send carries a reference derived from the outbox's
 * idempotency key (Notify `reference`, SMTP Message-ID), so an in-doubt send can be looked up
 * (`reconcile`) or recognised as the same message.
 */
import type { ContactDirectory } from '../../core/contacts/contact-directory.ts';
import { type RenderedOutOfChat, renderOutOfChat } from '../../core/messages/out-of-chat.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type {
  ChannelPort,
  DeliveryResult,
  DeliveryTarget,
  OutOfChatPlatform,
  RateLimitKey,
} from '../../core/ports.ts';

/** One message to one address, already rendered. */
export interface OutOfChatSend {
  to: string;
  rendered: RenderedOutOfChat;
  idempotencyKey: string;
}

/**
 * What a transport answers. `rejected`: the provider refused this address for good (bounce, invalid
 * number): the method is marked failed and the message is final.
 */
export type TransportResult = DeliveryResult | { outcome: 'rejected'; error: string };

export interface OutOfChatTransport {
  /** 'smtp' | 'graph' | 'notify': the platformRef prefix and what `doctor` shows. */
  readonly name: string;
  send(s: OutOfChatSend): Promise<TransportResult>;
  /** Whether a message with this idempotency key reached the provider (Notify: by reference). */
  reconcile?(idempotencyKey: string): Promise<'delivered' | 'not_delivered' | 'unknown'>;
  /** The provider's rate rules (Notify: 3,000 a minute per API key). */
  limitKeys(): RateLimitKey[];
}

export class OutOfChatChannel implements ChannelPort {
  constructor(
    readonly platform: OutOfChatPlatform,
    private readonly transport: OutOfChatTransport,
    private readonly contacts: ContactDirectory,
  ) {}

  get transportName(): string {
    return this.transport.name;
  }

  /** Any person: whether they have a verified method is known only at send time (then `not_found`). */
  canReach(target: DeliveryTarget): boolean {
    return target.kind === 'person';
  }

  limitKey(): RateLimitKey[] {
    return this.transport.limitKeys();
  }

  async send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    if (target.kind !== 'person')
      return {
        outcome: 'failed',
        error: `${this.platform} goes to a person, not a conversation`,
        transient: false,
      };
    let rendered: RenderedOutOfChat;
    try {
      rendered = renderOutOfChat(message, this.platform);
    } catch (err) {
      return { outcome: 'failed', error: (err as Error).message, transient: false };
    }
    const kind = this.platform;
    const method = await this.contacts.deliverable(
      target.staffId,
      kind,
      rendered.kind === 'contact_verification',
    );
    if (!method)
      return {
        outcome: 'not_found',
        error: `no verified ${kind === 'EMAIL' ? 'e-mail' : 'mobile'} contact method`,
      };
    // Checked again as it leaves: a digest queued before an unsubscribe is not sent after it.
    if (rendered.kind === 'digest' && !method.digestOptIn)
      return { outcome: 'failed', error: 'unsubscribed from digests by e-mail', transient: false };
    const r = await this.transport.send({ to: method.value, rendered, idempotencyKey: meta.idempotencyKey });
    if (r.outcome === 'rejected') {
      await this.contacts.recordFailure(method.id, r.error);
      return { outcome: 'not_found', error: r.error };
    }
    if (r.outcome === 'sent' && r.platformRef)
      return { outcome: 'sent', platformRef: `${this.transport.name}:${r.platformRef}` };
    return r;
  }

  async reconcile(idempotencyKey: string): Promise<'delivered' | 'not_delivered' | 'unknown'> {
    return this.transport.reconcile ? this.transport.reconcile(idempotencyKey) : 'unknown';
  }
}
