/**
 * Which channel and target reach a claimed message (scheduler/deliver.ts): a conversation's platform, if
 * that channel can still reach it; else the recipient, when active, by the channel the message asks for
 * (`via`) or by the person's own routing (scheduler/channel-router.ts). null: nothing reaches it.
 */
import type { ChannelPort, DeliveryTarget } from '../core/ports.ts';
import type { ClaimedMessage } from '../store/outbox-repository.ts';
import type { ChannelRouter } from './channel-router.ts';
import type { ConversationLookup, People } from './deliverer-options.ts';

export async function resolveRoute(
  m: ClaimedMessage,
  people: People,
  conversations: ConversationLookup,
  router: ChannelRouter,
): Promise<{ channel: ChannelPort; target: DeliveryTarget } | null> {
  if (m.conversationId) {
    const conv = await conversations.conversation(m.conversationId);
    const channel = conv ? router.channel(conv.platform) : undefined;
    if (!conv || !channel) return null;
    const target: DeliveryTarget = {
      kind: 'conversation',
      conversationId: conv.conversationId,
      tenantId: conv.tenantId,
      reference: conv.reference,
    };
    return channel.canReach(target) ? { channel, target } : null;
  }
  if (!m.recipientId) return null;
  const person = people.get(m.recipientId);
  if (!person?.active) return null;
  if (m.via) return router.forVia(m.via, person, person.identities);
  return router.forPerson(person, person.identities);
}
