/**
 * Teams installation records: the team / group-chat conversations the bot is installed in
 * (ChannelConversation, platform TEAMS), and staff lookups by Entra object id.
 */
import type { Db } from './db.ts';

export interface TeamsConversationInput {
  orgId: string;
  tenantId: string;
  conversationId: string;
  /** 'channel' | 'groupChat' */
  kind: string;
  name?: string | null;
  reference: unknown;
}

export class TeamsRepository {
  constructor(private readonly db: Db) {}

  /** Store or refresh an installed conversation. `created` is true the first time it is seen. */
  async upsertConversation(input: TeamsConversationInput): Promise<{ id: string; created: boolean }> {
    const where = {
      platform_tenantId_conversationId: {
        platform: 'TEAMS' as const,
        tenantId: input.tenantId,
        conversationId: input.conversationId,
      },
    };
    const existing = await this.db.channelConversation.findUnique({ where, select: { id: true } });
    const reference = input.reference as never;
    if (existing) {
      await this.db.channelConversation.update({
        where: { id: existing.id },
        data: { reference, kind: input.kind, ...(input.name ? { name: input.name } : {}) },
      });
      return { id: existing.id, created: false };
    }
    const row = await this.db.channelConversation.create({
      data: {
        orgId: input.orgId,
        platform: 'TEAMS',
        tenantId: input.tenantId,
        conversationId: input.conversationId,
        kind: input.kind,
        name: input.name ?? null,
        reference,
      },
      select: { id: true },
    });
    return { id: row.id, created: true };
  }

  /** Forget a conversation the bot was removed from. */
  async removeConversation(tenantId: string, conversationId: string): Promise<number> {
    const r = await this.db.channelConversation.deleteMany({
      where: { platform: 'TEAMS', tenantId, conversationId },
    });
    return r.count;
  }

  async conversations(orgId: string): Promise<{ id: string; conversationId: string; kind: string }[]> {
    return this.db.channelConversation.findMany({
      where: { orgId, platform: 'TEAMS' },
      select: { id: true, conversationId: true, kind: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** The active member of staff with this Entra object id (ids are unique per tenant). */
  async staffIdByEntraObjectId(objectId: string): Promise<string | null> {
    const s = await this.db.staff.findFirst({
      where: { entraObjectId: objectId.toLowerCase(), active: true },
      select: { id: true },
    });
    return s?.id ?? null;
  }

  /** Record the Entra object id learnt when a member was matched by email. */
  async setEntraObjectId(staffId: string, objectId: string): Promise<void> {
    await this.db.staff.update({ where: { id: staffId }, data: { entraObjectId: objectId.toLowerCase() } });
  }

  /** The organisation a tenant's conversation belongs to: the org of any staff already linked in it. */
  async orgForTenant(tenantId: string): Promise<string | null> {
    const id = await this.db.chatIdentity.findFirst({
      where: { platform: 'TEAMS', tenantId },
      select: { staff: { select: { orgId: true } } },
    });
    if (id) return id.staff.orgId;
    const conv = await this.db.channelConversation.findFirst({
      where: { platform: 'TEAMS', tenantId },
      select: { orgId: true },
    });
    return conv?.orgId ?? null;
  }

  /** The only organisation, when there is exactly one (a single-school deployment). */
  async soleOrg(): Promise<string | null> {
    const orgs = await this.db.organisation.findMany({ select: { id: true }, take: 2 });
    return orgs.length === 1 ? (orgs[0]?.id ?? null) : null;
  }
}
