/**
 * Picks the channel that will carry a message to a member of staff: the first enabled channel (in the
 * configured order, e.g. Teams, Slack, console) on which the person has an identity.
 */
import type { ChannelPort, DeliveryTarget, Platform } from '../core/ports.ts';
import type { IdentityDto } from '../store/staff-repository.ts';

export class ChannelRouter {
  constructor(private readonly channels: ChannelPort[]) {}

  get platforms(): Platform[] {
    return this.channels.map((c) => c.platform);
  }

  channel(platform: Platform): ChannelPort | undefined {
    return this.channels.find((c) => c.platform === platform);
  }

  /** A channel and target for a person, or null if no enabled channel can reach them. */
  forPerson(
    staff: { id: string; displayName: string },
    identities: IdentityDto[],
  ): { channel: ChannelPort; target: DeliveryTarget } | null {
    for (const channel of this.channels) {
      const identity = identities.find((i) => i.platform === channel.platform);
      const target: DeliveryTarget = {
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
      if (channel.canReach(target)) return { channel, target };
    }
    return null;
  }
}
