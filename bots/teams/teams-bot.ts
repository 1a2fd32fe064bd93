/**
 * What the bot does with an authenticated activity: installation (store the reference, say hello, link
 * members to staff, tell the admins who could not be matched: teams-members.ts), commands typed in personal
 * chat, and card actions (Action.Execute invokes, or Action.Submit messages from older clients) translated
 * to the core's InboundAction / FormSubmission. Only this folder sees Teams types.
 */
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationReference,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
} from 'botbuilder';
import type { Hub } from '../../app/container.ts';
import { type ActionVerb, actionVerbs } from '../../core/messages/outgoing-message.ts';
import type { TeamsRepository } from '../../store/teams-repository.ts';
import {
  type ActionData,
  type Card,
  CHOICE_INPUTS,
  type FormData,
  formCard,
  formValues,
  messageCard,
  resolvedCard,
} from './cards.ts';
import { attachment, TeamsMembers, tenantOf } from './teams-members.ts';

/** `final`: the card is resolved (no buttons left), as opposed to a form redrawn with errors. */
type Reply = { card: Card; final?: boolean } | { text: string };

export class TeamsBot extends TeamsActivityHandler {
  /** Who is acting, and installation (teams-members.ts). */
  private readonly members: TeamsMembers;

  constructor(
    private readonly hub: Hub,
    private readonly repo: TeamsRepository,
  ) {
    super();
    this.members = new TeamsMembers(hub, repo);
    this.onMessage(async (ctx, next) => {
      await this.message(ctx);
      await next();
    });
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.members.installed(ctx);
      await next();
    });
    this.onInstallationUpdateRemove(async (ctx, next) => {
      const removed = await this.repo.removeConversation(tenantOf(ctx), ctx.activity.conversation.id);
      this.hub.log.info({ removed }, 'teams app removed from a conversation');
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      const added = ctx.activity.membersAdded ?? [];
      if (added.some((m) => m.id === ctx.activity.recipient.id)) await this.members.installed(ctx);
      else if (ctx.activity.conversation.conversationType !== 'personal')
        await this.members.membersJoined(ctx, added);
      await next();
    });
  }

  // ── messages and commands ────────────────────────────────────────────────────────────────────

  private async message(ctx: TurnContext): Promise<void> {
    const value = ctx.activity.value as Record<string, unknown> | undefined;
    if (value && typeof value === 'object' && typeof value.sh === 'string') {
      // Action.Submit (clients without Universal Actions): act, then update the card in place.
      const reply = await this.cardAction(ctx, value);
      if ('card' in reply && ctx.activity.replyToId) {
        await ctx.updateActivity({
          type: 'message',
          id: ctx.activity.replyToId,
          attachments: [attachment(reply.card)],
        });
      } else if ('card' in reply) {
        await ctx.sendActivity(MessageFactory.attachment(attachment(reply.card)));
      } else await ctx.sendActivity(reply.text);
      return;
    }
    if (ctx.activity.conversation.conversationType !== 'personal') {
      await ctx.sendActivity(
        'Please message me 1:1 for commands: nothing about pupils is discussed in a shared chat.',
      );
      return;
    }
    const actor = await this.members.actor(ctx);
    if (!actor) {
      await ctx.sendActivity(this.members.unlinkedText());
      return;
    }
    const text = TurnContext.removeRecipientMention(ctx.activity) ?? ctx.activity.text ?? '';
    const reply = await this.hub.commands.run(text.trim() || 'help', actor, 'TEAMS');
    const card = reply.kind === 'form' ? formCard(reply.form) : messageCard(reply.message);
    await ctx.sendActivity(MessageFactory.attachment(attachment(card)));
  }

  // ── card actions ─────────────────────────────────────────────────────────────────────────────

  protected override async onAdaptiveCardInvoke(
    ctx: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const reply = await this.cardAction(ctx, (invokeValue.action.data ?? {}) as Record<string, unknown>);
    if ('card' in reply) {
      // In a channel or group chat the invoke response only redraws the card for the person who pressed;
      // update the message itself so everyone sees who acted and nobody can act on it again.
      const replyToId = ctx.activity.replyToId;
      if (reply.final && replyToId && ctx.activity.conversation.conversationType !== 'personal') {
        await ctx
          .updateActivity({ type: 'message', id: replyToId, attachments: [attachment(reply.card)] })
          .catch((err: Error) =>
            this.hub.log.warn(
              { err: err.message.slice(0, 200) },
              'teams: could not update the card for everyone',
            ),
          );
      }
      return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: reply.card };
    }
    // A message answer leaves the card as it was and shows the text to the person who pressed.
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: reply.text as unknown as Record<string, unknown>,
    };
  }

  private hhmm(): string {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: this.hub.config.env.TIME_ZONE,
      hour: '2-digit',
      minute: '2-digit',
    }).format(this.hub.clock.now());
  }

  private async cardAction(ctx: TurnContext, data: Record<string, unknown>): Promise<Reply> {
    const actor = await this.members.actor(ctx);
    if (!actor) return { text: this.members.unlinkedText() };
    if (data.sh === 'action') {
      const d = data as unknown as ActionData;
      if (!(actionVerbs as readonly string[]).includes(d.verb))
        return { text: 'That button is no longer available.' };
      const args = Object.fromEntries(
        Object.entries(d.args ?? {}).filter(([, v]) => typeof v === 'string'),
      ) as Record<string, string>;
      // A choice made on the card (e.g. the outcome a DSL picks: cards.ts CHOICE_INPUTS) arrives beside the data.
      for (const k of CHOICE_INPUTS) {
        const v = data[k];
        if (typeof v === 'string' && v) args[k] = v;
      }
      const result = await this.hub.actions.dispatch({
        actor,
        via: 'TEAMS',
        verb: d.verb as ActionVerb,
        subject: { type: String(d.subjectType), id: String(d.subjectId) },
        args,
      });
      if (result.resolved) {
        const note = result.reply
          ? [result.reply.title, result.reply.text].filter(Boolean).join('\n')
          : undefined;
        return { card: resolvedCard(String(d.title ?? ''), result.resolved.text, note), final: true };
      }
      if (result.reply) return { text: [result.reply.title, result.reply.text].filter(Boolean).join('\n') };
      return { text: 'Done.' };
    }
    if (data.sh === 'open') {
      const formId = String(data.formId ?? '');
      if (!this.hub.forms.has(formId)) return { text: 'That form is not available.' };
      const context = (data.context ?? {}) as Record<string, string>;
      const spec = await this.hub.forms.open(formId, actor, context);
      await ctx.sendActivity(MessageFactory.attachment(attachment(formCard(spec))));
      return { text: `${spec.title}: the form is below.` };
    }
    if (data.sh === 'form') {
      const d = data as unknown as FormData & Record<string, unknown>;
      const context = (d.context ?? {}) as Record<string, string>;
      const spec = this.hub.forms.has(d.formId)
        ? await this.hub.forms.open(d.formId, actor, context)
        : undefined;
      const values = formValues(spec, data);
      const intent = d.intent === 'draft' ? 'draft' : 'submit';
      // The card's message id (the same for a second press of the same card), else this activity's id
      // (the same for a re-delivery).
      const instanceId = ctx.activity.replyToId || ctx.activity.id;
      const outcome = await this.hub.forms.submit(
        actor,
        { formId: d.formId, context, values, intent, ...(instanceId ? { instanceId } : {}) },
        'TEAMS',
      );
      if (!outcome.ok) {
        if (!spec) return { text: Object.values(outcome.errors).join('\n') };
        return { card: formCard(spec, values, outcome.errors) };
      }
      if (intent === 'draft' && spec)
        return {
          card: formCard(spec, values, { form: `Draft saved by ${actor.displayName} at ${this.hhmm()}.` }),
        };
      return {
        card: resolvedCard(
          String(d.title ?? spec?.title ?? 'Form'),
          `Submitted by ${actor.displayName} at ${this.hhmm()}`,
          outcome.reply,
        ),
        final: true,
      };
    }
    return { text: 'That button is no longer available.' };
  }
}

export type { ConversationReference };
