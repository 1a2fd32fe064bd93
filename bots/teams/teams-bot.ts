/**
 * What the bot does with an authenticated activity: installation (store the reference, say hello, link
 * members to staff, tell the admins who could not be matched), commands typed in personal chat, and card
 * actions (Action.Execute invokes, or Action.Submit messages from older clients) translated to the core's
 * InboundAction / FormSubmission. Only this folder sees Teams types.
 */
import { createHash } from 'node:crypto';
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Attachment,
  CardFactory,
  type ChannelAccount,
  type ConversationReference,
  MessageFactory,
  TeamsActivityHandler,
  type TeamsChannelAccount,
  TeamsInfo,
  TurnContext,
} from 'botbuilder';
import type { Hub } from '../../app/container.ts';
import {
  type ActionVerb,
  actionVerbs,
  message,
  type OutgoingMessage,
} from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';
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
import type { StoredRef } from './teams-channel.ts';

/** `final`: the card is resolved (no buttons left), as opposed to a form redrawn with errors. */
type Reply = { card: Card; final?: boolean } | { text: string };

const tenantOf = (ctx: TurnContext): string =>
  ctx.activity.conversation?.tenantId ??
  (ctx.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
  '';

const attachment = (c: Card): Attachment => CardFactory.adaptiveCard(c);

export class TeamsBot extends TeamsActivityHandler {
  constructor(
    private readonly hub: Hub,
    private readonly repo: TeamsRepository,
  ) {
    super();
    this.onMessage(async (ctx, next) => {
      await this.message(ctx);
      await next();
    });
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.installed(ctx);
      await next();
    });
    this.onInstallationUpdateRemove(async (ctx, next) => {
      const removed = await this.repo.removeConversation(tenantOf(ctx), ctx.activity.conversation.id);
      this.hub.log.info({ removed }, 'teams app removed from a conversation');
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      const added = ctx.activity.membersAdded ?? [];
      if (added.some((m) => m.id === ctx.activity.recipient.id)) await this.installed(ctx);
      else if (ctx.activity.conversation.conversationType !== 'personal')
        await this.membersJoined(ctx, added);
      await next();
    });
  }

  // ── who is acting ────────────────────────────────────────────────────────────────────────────

  private async actor(ctx: TurnContext): Promise<Actor | null> {
    const aad = ctx.activity.from?.aadObjectId;
    if (!aad) return null;
    const tenantId = tenantOf(ctx);
    const found = await this.hub.staff.actorFor('TEAMS', tenantId, aad);
    if (found || ctx.activity.conversation.conversationType !== 'personal') return found;
    // Someone who talks to the bot before any install event reached us: try to link them now.
    const staffId = await this.match(ctx, ctx.activity.from as TeamsChannelAccount, null);
    if (!staffId) return null;
    await this.link(ctx, staffId, ctx.activity.from as TeamsChannelAccount, true);
    return this.hub.staff.actorForStaff(staffId);
  }

  /** Match a Teams member to staff: Entra object id first, then UPN / email. */
  private async match(
    ctx: TurnContext,
    member: TeamsChannelAccount,
    orgId: string | null,
  ): Promise<string | null> {
    const aad = member.aadObjectId;
    if (aad) {
      const byOid = await this.repo.staffIdByEntraObjectId(aad);
      if (byOid) return byOid;
    }
    let full = member;
    if (!member.email && !member.userPrincipalName && member.id) {
      try {
        full = await TeamsInfo.getMember(ctx, member.id);
      } catch (err) {
        this.hub.log.warn({ err: (err as Error).message }, 'teams: could not read a member profile');
      }
    }
    for (const email of [full.email, full.userPrincipalName]) {
      if (!email) continue;
      const s = await this.hub.staff.byEmail(email, orgId ?? undefined);
      if (s) {
        if (aad) await this.repo.setEntraObjectId(s.id, aad);
        return s.id;
      }
    }
    return null;
  }

  /** Link a member; a personal chat's full reference wins over a seed from a team roster. */
  private async link(
    ctx: TurnContext,
    staffId: string,
    member: ChannelAccount,
    personal: boolean,
  ): Promise<void> {
    const aad = member.aadObjectId;
    if (!aad) return;
    const tenantId = tenantOf(ctx);
    const existing = (await this.hub.staff.identities(staffId)).find(
      (i) => i.platform === 'TEAMS' && i.platformUserId === aad,
    );
    const existingRef = existing?.conversationRef as StoredRef | null | undefined;
    let ref: StoredRef | undefined;
    if (personal) ref = TurnContext.getConversationReference(ctx.activity) as StoredRef;
    else if (!existingRef?.conversation?.id)
      ref = {
        channelId: 'msteams',
        serviceUrl: ctx.activity.serviceUrl,
        bot: ctx.activity.recipient,
        user: { id: member.id, name: '', aadObjectId: aad } as ChannelAccount,
      };
    await this.hub.staff.linkIdentity(staffId, 'TEAMS', tenantId, aad, ref);
    if (!existing) {
      const s = await this.hub.staff.byId(staffId);
      await this.hub.audit.record({
        orgId: s?.orgId ?? null,
        actorKind: 'system',
        action: 'teams.identity_linked',
        subjectType: 'staff',
        subjectId: staffId,
        channel: 'TEAMS',
        details: { scope: personal ? 'personal' : 'team' },
      });
    }
  }

  // ── installation ─────────────────────────────────────────────────────────────────────────────

  private async installed(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const tenantId = tenantOf(ctx);
    if (a.conversation.conversationType === 'personal') {
      const staffId = await this.match(ctx, a.from as TeamsChannelAccount, null);
      if (!staffId) {
        await ctx.sendActivity(this.unlinkedText());
        return;
      }
      const before = (await this.hub.staff.identities(staffId)).find((i) => i.platform === 'TEAMS');
      await this.link(ctx, staffId, a.from, true);
      if ((before?.conversationRef as StoredRef | null)?.conversation?.id !== a.conversation.id)
        await ctx.sendActivity(MessageFactory.attachment(attachment(messageCard(this.welcome('private')))));
      return;
    }
    // A roster we cannot read (permissions, an outage) does not stop the install: the conversation is
    // still stored and greeted; members are linked when they next join or talk to the bot.
    const members = await this.roster(ctx).catch((err: Error) => {
      this.hub.log.warn({ err: err.message.slice(0, 200) }, 'teams: could not read the roster');
      return [] as TeamsChannelAccount[];
    });
    const { orgId, unmatched } = await this.matchAll(ctx, members);
    if (!orgId) {
      this.hub.log.warn({ members: members.length }, 'teams: installed where no member matches any staff');
      await ctx.sendActivity(
        'SEND Hub is installed here, but nobody in this conversation matches the staff list yet. Ask your SEND Hub administrator to import staff, then reinstall the app.',
      );
      return;
    }
    const ref = TurnContext.getConversationReference(a);
    const kind = a.conversation.conversationType === 'groupChat' ? 'groupChat' : 'channel';
    const { created } = await this.repo.upsertConversation({
      orgId,
      tenantId,
      conversationId: a.conversation.id,
      kind,
      name: null,
      reference: ref,
    });
    await this.hub.audit.record({
      orgId,
      actorKind: 'system',
      action: 'teams.installed',
      subjectType: 'conversation',
      subjectId: a.conversation.id,
      channel: 'TEAMS',
      details: { kind, members: members.length, unmatched: unmatched.length },
    });
    if (created)
      await ctx.sendActivity(MessageFactory.attachment(attachment(messageCard(this.welcome('channel')))));
    await this.tellAdmins(orgId, tenantId, a.conversation.id, unmatched);
  }

  private async membersJoined(ctx: TurnContext, added: ChannelAccount[]): Promise<void> {
    const { orgId, unmatched } = await this.matchAll(ctx, added as TeamsChannelAccount[]);
    const resolvedOrg = orgId ?? (await this.repo.orgForTenant(tenantOf(ctx)));
    if (resolvedOrg)
      await this.tellAdmins(resolvedOrg, tenantOf(ctx), ctx.activity.conversation.id, unmatched);
  }

  private async roster(ctx: TurnContext): Promise<TeamsChannelAccount[]> {
    const all: TeamsChannelAccount[] = [];
    let token: string | undefined;
    do {
      const page = await TeamsInfo.getPagedMembers(ctx, 500, token);
      all.push(...page.members);
      token = page.continuationToken;
    } while (token);
    return all;
  }

  private async matchAll(
    ctx: TurnContext,
    members: TeamsChannelAccount[],
  ): Promise<{ orgId: string | null; unmatched: TeamsChannelAccount[] }> {
    let orgId = await this.repo.orgForTenant(tenantOf(ctx));
    const unmatched: TeamsChannelAccount[] = [];
    for (const m of members) {
      if (m.id === ctx.activity.recipient.id) continue;
      const staffId = await this.match(ctx, m, orgId);
      if (!staffId) {
        unmatched.push(m);
        continue;
      }
      if (!orgId) orgId = (await this.hub.staff.byId(staffId))?.orgId ?? null;
      await this.link(ctx, staffId, m, false);
    }
    return { orgId: orgId ?? (await this.repo.soleOrg()), unmatched };
  }

  /** Admins (ADMIN role) hear, privately, which members could not be matched to the staff list. */
  private async tellAdmins(
    orgId: string,
    tenantId: string,
    conversationId: string,
    unmatched: TeamsChannelAccount[],
  ): Promise<void> {
    if (!unmatched.length) return;
    const admins = await this.hub.staff.withRole(orgId, 'ADMIN');
    const ids = unmatched.map((m) => m.aadObjectId ?? m.id).sort();
    const digest = createHash('sha256')
      .update(`${tenantId}|${conversationId}|${ids.join(',')}`)
      .digest('hex')
      .slice(0, 24);
    const lines = unmatched.map(
      (m) => `${m.name ?? 'unknown'} <${m.email ?? m.userPrincipalName ?? 'no email'}>`,
    );
    for (const admin of admins) {
      await this.hub.outbox.enqueue({
        idempotencyKey: `teams:unmatched:${digest}:${admin.id}`,
        orgId,
        to: { staffId: admin.id },
        priority: 5,
        message: message({
          kind: 'admin_notice',
          audience: 'private',
          title: `Teams: ${unmatched.length} member${unmatched.length === 1 ? '' : 's'} not matched to staff`,
          text: 'These people are in a Teams conversation with SEND Hub but match no member of staff by Entra object id or email. Add them to the staff list (or correct their email) so they receive their reminders.',
          sections: [{ heading: 'Not matched', lines }],
        }),
      });
    }
    this.hub.log.info(
      { unmatched: unmatched.length, admins: admins.length },
      'teams: unmatched members reported',
    );
  }

  private welcome(audience: 'private' | 'channel'): OutgoingMessage {
    const commands = this.hub.commands.list().filter((c) => c.name !== 'help');
    return message({
      kind: 'welcome',
      audience,
      title: 'Hello from SEND Hub',
      text:
        audience === 'private'
          ? 'I will remind you of SEND and safeguarding meetings and statutory deadlines, bring safeguarding concerns to the DSL at once, and let you answer from the card. Type a command below, or *help* at any time.'
          : 'I will post reminders and notices for this team here (initials and year group only, never names). Message me 1:1 for your own reminders and to raise a concern.',
      sections:
        audience === 'private'
          ? [
              {
                heading: 'Commands',
                lines: ['help - what I can do', ...commands.map((c) => `${c.usage} - ${c.summary}`)],
              },
            ]
          : [],
    });
  }

  private unlinkedText(): string {
    return 'Hello. I could not match your Teams account to the SEND Hub staff list, so I cannot show you anything yet. Please ask your SEND Hub administrator to check that your school email address is on the staff list; they have been told about unmatched accounts.';
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
    const actor = await this.actor(ctx);
    if (!actor) {
      await ctx.sendActivity(this.unlinkedText());
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
    const actor = await this.actor(ctx);
    if (!actor) return { text: this.unlinkedText() };
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
