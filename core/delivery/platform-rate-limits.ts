/**
 * The platforms' published send limits, as rate-limit keys the Deliverer consults before every send
 * (shared by all replicas through the RateBucket table). Pure data: no I/O.
 *
 * Microsoft Teams, "Optimize your bot with rate limiting in Teams"
 * (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit), per bot per thread, "send to
 * conversation": 7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per 3600 s; and a global limit per app per
 * tenant of 50 requests per second. Microsoft says the values may change: a 429 still wins (Retry-After).
 *
 * Slack, "Rate limits" (docs.slack.dev/apis/web-api/rate-limits): chat.postMessage is a special tier,
 * "generally one message per second per channel", short bursts tolerated, plus an unpublished
 * workspace-wide limit (which we meet through 429 + Retry-After).
 */
import type { DeliveryTarget, Platform, RateLimitKey, RateRule } from '../ports.ts';

export const TEAMS_PER_CONVERSATION: RateRule[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1800, windowMs: 3_600_000 },
];
export const TEAMS_PER_TENANT: RateRule[] = [{ limit: 50, windowMs: 1_000 }];
export const SLACK_PER_CHANNEL: RateRule[] = [{ limit: 1, windowMs: 1_000 }];

/**
 * GOV.UK Notify, per API key (SMS and e-mail sent with it together): "3,000 messages per minute",
 * counted on a rolling basis (docs.notifications.service.gov.uk, "API rate limit"; a 429 RateLimitError
 * beyond it). A third of the minute's budget may go at once (1,000: every DSL's SMS of a burst of
 * concerns falling due in the same instant, issue 18) and the other 2,000 are spread over the minute, so
 * no 60-second window ever holds more than 3,000. The default 2% burst (60) spread the rest at 49 a
 * second: 1,000 SMS due at once reached Notify over 19 seconds. A 429 still wins (Retry-After).
 */
export const NOTIFY_PER_KEY: RateRule[] = [{ limit: 3000, windowMs: 60_000, burst: 1000 }];

/**
 * @example teamsLimitKeys('tenant-1', 'a:1xyz') // [{ key: 'teams:conv:tenant-1:a:1xyz', … }, { key: 'teams:tenant:tenant-1', … }]
 */
export function teamsLimitKeys(tenantId: string, conversationId: string): RateLimitKey[] {
  return [
    { key: `teams:conv:${tenantId}:${conversationId}`, rules: TEAMS_PER_CONVERSATION },
    { key: `teams:tenant:${tenantId}`, rules: TEAMS_PER_TENANT },
  ];
}

/** @example slackLimitKeys('T123', 'D456') // [{ key: 'slack:chan:T123:D456', rules: SLACK_PER_CHANNEL }] */
export function slackLimitKeys(teamId: string, channelId: string): RateLimitKey[] {
  return [{ key: `slack:chan:${teamId}:${channelId}`, rules: SLACK_PER_CHANNEL }];
}

/**
 * Keys for a target when the channel adapter does not provide `limitKey`: a person's 1:1 thread is keyed
 * by their platform user id (one bot-user conversation per person), a conversation by its id.
 */
export function defaultLimitKeys(platform: Platform, target: DeliveryTarget): RateLimitKey[] {
  if (platform === 'CONSOLE') return [];
  const tenant = target.kind === 'person' ? (target.identity?.tenantId ?? '') : target.tenantId;
  const thread =
    target.kind === 'person'
      ? `user:${target.identity?.platformUserId ?? target.staffId}`
      : target.conversationId;
  return platform === 'TEAMS' ? teamsLimitKeys(tenant, thread) : slackLimitKeys(tenant, thread);
}

/**
 * Clock skew and network jitter between our take and the platform's own clock: the refill rate is
 * computed over `windowMs + JITTER_MARGIN_MS`, so a send that reaches the platform a little late does
 * not push its window over the limit.
 */
export const JITTER_MARGIN_MS = 50;

/**
 * The token bucket that enforces "at most `limit` sends in ANY window of `windowMs`": capacity b and refill
 * r with b + r·W ≤ limit (a plain bucket of capacity `limit` refilled at limit/W would allow 2·limit in
 * one window). A small burst (2% of the limit, at least 1) keeps the sustained rate above 90% of the
 * limit. With limit 1 (Slack) the bucket is 1 token refilled at 1/W: Slack tolerates the short bursts.
 * A rule's own `burst` (Notify: a third of the limit) trades sustained rate for sends at once; b + r·W
 * stays under the limit either way.
 * @example bucketFor({ limit: 50, windowMs: 1000 }) // { capacity: 1, perMs: 49 / 1050 }
 * @example bucketFor({ limit: 3000, windowMs: 60000, burst: 1000 }) // { capacity: 1000, perMs: 2000 / 60050 }
 */
export function bucketFor(rule: RateRule): { capacity: number; perMs: number } {
  const burst = rule.burst === undefined ? Math.round(rule.limit / 50) : Math.floor(rule.burst);
  const capacity = Math.min(rule.limit, Math.max(1, burst));
  return { capacity, perMs: Math.max(rule.limit - capacity, 1) / (rule.windowMs + JITTER_MARGIN_MS) };
}
