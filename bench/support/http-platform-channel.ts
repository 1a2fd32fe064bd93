/**
 * A Teams-like ChannelPort that posts to the FakePlatform over loopback HTTP: a real network edge for
 * the delivery tests and benchmarks. It classifies responses as the Teams adapter does (201 sent,
 * 429 throttled with Retry-After, 404 not found, 5xx transient) and implements `reconcile` and `limitKey`.
 */
import { teamsLimitKeys } from '../../core/delivery/platform-rate-limits.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type {
  ChannelPort,
  DeliveryResult,
  DeliveryTarget,
  RateLimitKey,
  RateRule,
} from '../../core/ports.ts';

function conversationOf(target: DeliveryTarget): { tenant: string; conversation: string } | null {
  if (target.kind === 'conversation') return { tenant: target.tenantId, conversation: target.conversationId };
  if (!target.identity) return null;
  return { tenant: target.identity.tenantId, conversation: target.identity.platformUserId };
}

export class HttpPlatformChannel implements ChannelPort {
  readonly platform = 'TEAMS' as const;

  constructor(
    private readonly baseUrl: string,
    /** Override the published limits (tests with a smaller, faster limit). */
    private readonly rules?: { perConversation: RateRule[]; perTenant: RateRule[] },
  ) {}

  canReach(target: DeliveryTarget): boolean {
    return conversationOf(target) !== null;
  }

  limitKey(target: DeliveryTarget): RateLimitKey[] {
    const c = conversationOf(target);
    if (!c) return [];
    if (!this.rules) return teamsLimitKeys(c.tenant, c.conversation);
    return [
      { key: `teams:conv:${c.tenant}:${c.conversation}`, rules: this.rules.perConversation },
      { key: `teams:tenant:${c.tenant}`, rules: this.rules.perTenant },
    ];
  }

  async send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    const c = conversationOf(target);
    if (!c) return { outcome: 'not_found', error: 'no conversation' };
    const res = await fetch(
      `${this.baseUrl}/v3/conversations/${encodeURIComponent(c.conversation)}/activities`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: meta.idempotencyKey, tenant: c.tenant, title: message.title }),
      },
    );
    await res.arrayBuffer();
    if (res.status === 201) return { outcome: 'sent', platformRef: meta.idempotencyKey };
    if (res.status === 429) {
      const s = Number(res.headers.get('retry-after') ?? '1');
      return { outcome: 'throttled', retryAfterMs: Math.max(0, s) * 1000 };
    }
    if (res.status === 404) return { outcome: 'not_found', error: 'conversation not found' };
    return { outcome: 'failed', error: `HTTP ${res.status}`, transient: res.status >= 500 };
  }

  async reconcile(
    idempotencyKey: string,
    target: DeliveryTarget,
  ): Promise<'delivered' | 'not_delivered' | 'unknown'> {
    const c = conversationOf(target);
    if (!c) return 'unknown';
    const res = await fetch(
      `${this.baseUrl}/v3/conversations/${encodeURIComponent(c.conversation)}/activities/${encodeURIComponent(idempotencyKey)}`,
    );
    await res.arrayBuffer();
    return res.status === 200 ? 'delivered' : res.status === 404 ? 'not_delivered' : 'unknown';
  }
}
