/**
 * Picks the channel that will carry a message to a member of staff: the first enabled chat channel (in the
 * configured order, e.g. Teams, Slack, console) on which the person has an identity; or, for a message
 * enqueued with `via` (issue 16), exactly that channel. E-mail and SMS are never picked for a message
 * without `via`: they are behind the chat, used only when a rule says so (core/ports.ts EnqueueRequest).
 */
import {
  type ChannelPort,
  type DeliveryResult,
  type DeliveryTarget,
  isOutOfChat,
  type Platform,
} from '../core/ports.ts';
import type { IdentityDto } from '../store/staff-repository.ts';

/**
 * Stands in for an out-of-chat channel this hub has no transport for: every send is `not_found` (final),
 * so the ladder moves on at once instead of waiting for a channel that will never come.
 */
export function unconfiguredChannel(platform: Platform): ChannelPort {
  return {
    platform,
    canReach: () => true,
    async send(): Promise<DeliveryResult> {
      return { outcome: 'not_found', error: `no ${platform} transport is configured on this hub` };
    },
  };
}

export class ChannelRouter {
  constructor(private readonly channels: ChannelPort[]) {}

  get platforms(): Platform[] {
    return this.channels.map((c) => c.platform);
  }

  channel(platform: Platform): ChannelPort | undefined {
    return this.channels.find((c) => c.platform === platform);
  }

  private target(staff: { id: string; displayName: string }, identity?: IdentityDto): DeliveryTarget {
    return {
      kind: 'person',
      staffId: staff.id,
      displayName: staff.displayName,
      ...(identity
        ? {
            identity: {
              platformUserId: identity.platformUserId,
              tenantId: identity.tenantId,
              conversationRef: identity.conversationRef,
            },
          }
        : {}),
    };
  }

  /** A chat channel and target for a person, or null if no enabled chat channel can reach them. */
  forPerson(
    staff: { id: string; displayName: string },
    identities: IdentityDto[],
  ): { channel: ChannelPort; target: DeliveryTarget } | null {
    for (const channel of this.channels) {
      if (isOutOfChat(channel.platform)) continue;
      const identity = identities.find((i) => i.platform === channel.platform);
      const target = this.target(staff, identity);
      if (channel.canReach(target)) return { channel, target };
    }
    return null;
  }

  /**
   * The channel a message is pinned to (`via`). Out of chat: always a route (the channel finds the verified
   * contact method when it sends, or answers not_found; without a transport, unconfiguredChannel). A chat
   * platform: that channel if it is enabled and reaches the person, else null (unreachable, as for chat).
   */
  forVia(
    via: Platform,
    staff: { id: string; displayName: string },
    identities: IdentityDto[],
  ): { channel: ChannelPort; target: DeliveryTarget } | null {
    const channel = this.channel(via);
    if (isOutOfChat(via)) return { channel: channel ?? unconfiguredChannel(via), target: this.target(staff) };
    if (!channel) return null;
    const target = this.target(
      staff,
      identities.find((i) => i.platform === via),
    );
    return channel.canReach(target) ? { channel, target } : null;
  }
}
