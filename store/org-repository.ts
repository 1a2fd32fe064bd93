import type { Db } from './db.ts';

export interface OrgDto {
  id: string;
  name: string;
  kind: string;
  timeZone: string;
  quietFrom: string;
  quietUntil: string;
}

export class OrgRepository {
  constructor(private readonly db: Db) {}

  async all(): Promise<OrgDto[]> {
    return this.db.organisation.findMany({
      select: { id: true, name: true, kind: true, timeZone: true, quietFrom: true, quietUntil: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async byId(id: string): Promise<OrgDto | null> {
    return this.db.organisation.findUnique({
      where: { id },
      select: { id: true, name: true, kind: true, timeZone: true, quietFrom: true, quietUntil: true },
    });
  }

  async count(): Promise<number> {
    return this.db.organisation.count();
  }

  async conversation(id: string) {
    return this.db.channelConversation.findUnique({
      where: { id },
      select: { platform: true, conversationId: true, tenantId: true, reference: true },
    });
  }
}
