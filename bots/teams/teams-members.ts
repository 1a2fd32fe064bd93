/**
 * Who is acting in Teams, and installation: a member matched to staff (Entra object id first, then UPN /
 * email) and linked with their conversation reference; on install the reference stored, a welcome said,
 * the roster linked, and the admins told, privately, who could not be matched. Used by teams-bot.ts (split
 * from it: that file keeps messages, commands and card actions). Only this folder sees Teams types.
 */
import { createHash } from 'node:crypto';
import {
  type Attachment,
  CardFactory,
  type ChannelAccount,
  MessageFactory,
  type TeamsChannelAccount,
  TeamsInfo,
  TurnContext,
} from 'botbuilder';
import type { Hub } from '../../app/container.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';
import type { TeamsRepository } from '../../store/teams-repository.ts';
import { type Card, messageCard } from './cards.ts';
import type { StoredRef } from './teams-channel.ts';

export const tenantOf = (ctx: TurnContext): string =>
  ctx.activity.conversation?.tenantId ??
  (ctx.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
  '';

export const attachment = (c: Card): Attachment => CardFactory.adaptiveCard(c);

export class TeamsMembers {
  constructor(
    private readonly hub: Hub,
    private readonly repo: TeamsRepository,
  ) {}

  // ── who is acting ────────────────────────────────────────────────────────────────────────────

  async actor(ctx: TurnContext): Promise<Actor | null> {
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

  async installed(ctx: TurnContext): Promise<void> {
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

  async membersJoined(ctx: TurnContext, added: ChannelAccount[]): Promise<void> {
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

  unlinkedText(): string {
    return 'Hello. I could not match your Teams account to the SEND Hub staff list, so I cannot show you anything yet. Please ask your SEND Hub administrator to check that your school email address is on the staff list; they have been told about unmatched accounts.';
  }
}
