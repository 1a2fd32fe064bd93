/**
 * The Teams ChannelPort: proactive messages from the outbox, 1:1 (creating the personal conversation
 * when none exists yet) or to a channel / group chat, through CloudAdapter.continueConversationAsync /
 * createConversationAsync. Errors are classified for the deliverer (habit 6): 429 → throttled with
 * Retry-After; 403/404 (bot removed, user gone) → not_found; 5xx, timeouts, token failures → transient.
 */
import {
  type Activity,
  CardFactory,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
  MessageFactory,
  TurnContext,
} from 'botbuilder';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget } from '../../core/ports.ts';
import { messageCard } from './cards.ts';
import type { TeamsHealth } from './health.ts';

const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

/** What we store as ChatIdentity.conversationRef: a full personal reference, or a seed to create one. */
export type StoredRef = Partial<ConversationReference> & { serviceUrl?: string; user?: { id: string } };

const hasService = (ref: unknown): ref is StoredRef =>
  !!ref && typeof ref === 'object' && typeof (ref as StoredRef).serviceUrl === 'string';

export function cardActivity(message: OutgoingMessage): Partial<Activity> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(messageCard(message)));
  // The notification preview: the title only (channel titles carry no names, docs/data-protection.md §5).
  activity.summary = message.title;
  return activity;
}

function retryAfterMs(err: Record<string, unknown>): number | undefined {
  const response = err.response as { headers?: unknown } | undefined;
  const headers = response?.headers as
    | { get?: (n: string) => string | null | undefined; [k: string]: unknown }
    | undefined;
  const raw =
    (typeof headers?.get === 'function' ? headers.get('retry-after') : undefined) ??
    (headers?.['retry-after'] as string | undefined);
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Classify a Bot Connector / token error into a delivery result. */
export function classifyError(error: unknown): DeliveryResult & { component: 'token' | 'connector' } {
  const err = (error ?? {}) as Record<string, unknown>;
  const status = (err.statusCode ?? err.status ?? (err.response as { status?: number })?.status) as
    | number
    | undefined;
  const name = String(err.name ?? '');
  const code = String(err.code ?? err.errorCode ?? '');
  const message =
    (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 200) ?? '';
  const tokenError = /ClientAuthError|ServerError|AuthError|InteractionRequired|MsalError/i.test(name);
  const component = tokenError ? 'token' : 'connector';
  if (status === 429) {
    const ms = retryAfterMs(err);
    return { outcome: 'throttled', ...(ms !== undefined ? { retryAfterMs: ms } : {}), component };
  }
  if (!tokenError && (status === 403 || status === 404))
    return { outcome: 'not_found', error: `Teams answered ${status}: ${message}`, component };
  if (status === undefined || status >= 500 || status === 401 || status === 408 || tokenError) {
    const ms = retryAfterMs(err);
    return {
      outcome: 'failed',
      transient: true,
      error: `${tokenError ? 'token' : 'Teams'} ${status ?? code ?? 'error'}: ${message}`,
      ...(ms !== undefined ? { retryAfterMs: ms } : {}),
      component,
    };
  }
  return { outcome: 'failed', transient: false, error: `Teams answered ${status}: ${message}`, component };
}

export interface TeamsChannelOptions {
  adapter: CloudAdapter;
  appId: string;
  health: TeamsHealth;
  /** Keep the personal conversation created for a member of staff (so the next message continues it). */
  rememberPersonal(
    staffId: string,
    tenantId: string,
    platformUserId: string,
    ref: ConversationReference,
  ): Promise<void>;
}

export class TeamsChannel implements ChannelPort {
  readonly platform = 'TEAMS' as const;

  constructor(private readonly o: TeamsChannelOptions) {}

  canReach(target: DeliveryTarget): boolean {
    if (target.kind === 'conversation') return hasService(target.reference);
    const ref = target.identity?.conversationRef;
    return hasService(ref) && (!!ref.conversation?.id || !!ref.user?.id);
  }

  async send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    _meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    const activity = cardActivity(message);
    let sentId: string | undefined;
    const logic = async (ctx: TurnContext) => {
      sentId = (await ctx.sendActivity(activity))?.id;
    };
    try {
      if (target.kind === 'conversation') {
        await this.o.adapter.continueConversationAsync(this.o.appId, target.reference as StoredRef, logic);
      } else {
        const identity = target.identity;
        const ref = identity?.conversationRef;
        if (!identity || !hasService(ref)) return { outcome: 'not_found', error: 'no Teams reference' };
        if (ref.conversation?.id) {
          await this.o.adapter.continueConversationAsync(this.o.appId, ref, logic);
        } else {
          // No personal chat yet: create one with the member (the app must be installed for them, e.g.
          // through a team it is in); keep its reference so later messages continue it.
          const tenantId = identity.tenantId;
          const params = {
            isGroup: false,
            bot: { id: this.o.appId, name: 'SEND Hub' },
            members: [{ id: ref.user?.id ?? identity.platformUserId, name: '' }],
            tenantId,
            channelData: { tenant: { id: tenantId } },
          } as ConversationParameters;
          await this.o.adapter.createConversationAsync(
            this.o.appId,
            'msteams',
            ref.serviceUrl as string,
            BOT_FRAMEWORK_SCOPE,
            params,
            async (ctx) => {
              const created = TurnContext.getConversationReference(ctx.activity) as ConversationReference;
              await this.o.rememberPersonal(target.staffId, tenantId, identity.platformUserId, {
                ...created,
                user: { name: '', ...(ref.user as ConversationReference['user']), id: ref.user?.id ?? '' },
              });
              await logic(ctx);
            },
          );
        }
      }
      this.o.health.connectorOk();
      return { outcome: 'sent', ...(sentId ? { platformRef: sentId } : {}) };
    } catch (err) {
      const { component, ...result } = classifyError(err);
      if (result.outcome === 'failed' && result.transient)
        this.o.health.connectorFailed(`${component}: ${result.error}`);
      return result;
    }
  }
}
