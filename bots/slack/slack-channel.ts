/**
 * The Slack ChannelPort: posts a Block Kit rendering of any OutgoingMessage to a person (their DM with
 * the app) or to a channel. Every post carries the outbox idempotency key in message metadata, so after a
 * crash `reconcile` can look the key up in the conversation history instead of posting twice.
 */

import { slackLimitKeys } from '../../core/delivery/platform-rate-limits.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget, RateLimitKey } from '../../core/ports.ts';
import { renderMessage } from './blocks/message-blocks.ts';
import type { ChannelLanes } from './channel-lanes.ts';
import { classifySlackError, type SlackApi } from './slack-api.ts';

/** Message metadata event type of every hub post (manifest: none needed; metadata is free-form). */
export const METADATA_EVENT_TYPE = 'send_hub_message';
/** How far back reconcile looks: in-doubt sends are minutes old, not days. */
const RECONCILE_HISTORY_LIMIT = 100;

/** What we keep as a Slack identity's conversation reference. */
export interface SlackRef {
  teamId: string;
  /** The DM channel (D…) once known. */
  channel?: string;
}

function teamOf(target: DeliveryTarget): string {
  return target.kind === 'person' ? (target.identity?.tenantId ?? '') : target.tenantId;
}

export class SlackChannel implements ChannelPort {
  readonly platform = 'SLACK' as const;

  constructor(
    private readonly api: SlackApi,
    private readonly lanes: ChannelLanes,
  ) {}

  canReach(target: DeliveryTarget): boolean {
    if (target.kind === 'person') return Boolean(target.identity?.platformUserId);
    return Boolean(target.conversationId);
  }

  /** The shared (all replicas) per-channel limit the Deliverer takes a token from before `send`. */
  limitKey(target: DeliveryTarget): RateLimitKey[] {
    return slackLimitKeys(teamOf(target), this.channelOf(target));
  }

  /** Channel id to post to: a user id opens (or reuses) the app's DM with that person. */
  private channelOf(target: DeliveryTarget): string {
    if (target.kind === 'conversation') return target.conversationId;
    const ref = target.identity?.conversationRef as SlackRef | null | undefined;
    return ref?.channel ?? target.identity?.platformUserId ?? '';
  }

  async send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    const channel = this.channelOf(target);
    if (!channel) return { outcome: 'not_found', error: 'no Slack identity' };
    const { text, blocks } = renderMessage(message);
    return this.lanes.run(channel, async () => {
      try {
        const client = await this.api.forTeam(teamOf(target) || undefined);
        const res = await client.chat.postMessage({
          channel,
          text,
          blocks: blocks as never,
          unfurl_links: false,
          unfurl_media: false,
          metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: meta.idempotencyKey } },
        });
        return { outcome: 'sent', platformRef: `${res.channel ?? channel}:${res.ts ?? ''}` };
      } catch (err) {
        return classifySlackError(err);
      }
    });
  }

  /** Was a message with this idempotency key already posted? (conversations.history with metadata). */
  async reconcile(
    idempotencyKey: string,
    target: DeliveryTarget,
  ): Promise<'delivered' | 'not_delivered' | 'unknown'> {
    try {
      const client = await this.api.forTeam(teamOf(target) || undefined);
      let channel = this.channelOf(target);
      if (target.kind === 'person' && !channel.startsWith('D')) {
        const opened = await client.conversations.open({ users: channel });
        channel = opened.channel?.id ?? '';
        if (!channel) return 'unknown';
      }
      const history = await client.conversations.history({
        channel,
        limit: RECONCILE_HISTORY_LIMIT,
        include_all_metadata: true,
      });
      const found = (history.messages ?? []).some((m) => {
        const md = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }).metadata;
        return md?.event_type === METADATA_EVENT_TYPE && md.event_payload?.key === idempotencyKey;
      });
      return found ? 'delivered' : 'not_delivered';
    } catch {
      return 'unknown';
    }
  }
}
