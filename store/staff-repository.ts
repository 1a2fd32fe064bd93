/** Staff, their roles and chat identities: who a platform user is, and how to reach a member of staff. */
import type { Actor, Platform } from '../core/ports.ts';
import type { Role } from '../core/staff/roles.ts';
import type { Db } from './db.ts';

export interface StaffDto {
  id: string;
  orgId: string;
  displayName: string;
  email: string;
  roles: Role[];
  lineManagerId: string | null;
  active: boolean;
}

export interface IdentityDto {
  platform: Platform;
  platformUserId: string;
  tenantId: string;
  conversationRef: unknown;
}

const staffSelect = {
  id: true,
  orgId: true,
  displayName: true,
  email: true,
  lineManagerId: true,
  active: true,
  roles: { select: { role: true } },
} as const;

type StaffRow = {
  id: string;
  orgId: string;
  displayName: string;
  email: string;
  lineManagerId: string | null;
  active: boolean;
  roles: { role: Role }[];
};
const toDto = (s: StaffRow): StaffDto => ({ ...s, roles: s.roles.map((r) => r.role) });

export class StaffRepository {
  constructor(private readonly db: Db) {}

  async byId(id: string): Promise<StaffDto | null> {
    const s = await this.db.staff.findUnique({ where: { id }, select: staffSelect });
    return s ? toDto(s) : null;
  }

  async byEmail(email: string, orgId?: string): Promise<StaffDto | null> {
    const s = await this.db.staff.findFirst({
      where: { email: email.trim().toLowerCase(), ...(orgId ? { orgId } : {}), active: true },
      select: staffSelect,
    });
    return s ? toDto(s) : null;
  }

  async withRole(orgId: string, role: Role): Promise<StaffDto[]> {
    const rows = await this.db.staff.findMany({
      where: { orgId, active: true, roles: { some: { role } } },
      select: staffSelect,
      orderBy: { displayName: 'asc' },
    });
    return rows.map(toDto);
  }

  async all(orgId: string): Promise<StaffDto[]> {
    const rows = await this.db.staff.findMany({
      where: { orgId },
      select: staffSelect,
      orderBy: { displayName: 'asc' },
    });
    return rows.map(toDto);
  }

  async identities(staffId: string): Promise<IdentityDto[]> {
    const rows = await this.db.chatIdentity.findMany({
      where: { staffId },
      select: { platform: true, platformUserId: true, tenantId: true, conversationRef: true },
    });
    return rows;
  }

  /**
   * Staff with their chat identities, for many people in one query (the deliverer resolves a whole
   * claimed batch at once). Missing ids are absent from the map.
   */
  async withIdentities(ids: string[]): Promise<Map<string, StaffDto & { identities: IdentityDto[] }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.staff.findMany({
      where: { id: { in: [...new Set(ids)] } },
      select: {
        ...staffSelect,
        identities: {
          select: { platform: true, platformUserId: true, tenantId: true, conversationRef: true },
        },
      },
    });
    return new Map(rows.map(({ identities, ...s }) => [s.id, { ...toDto(s), identities }]));
  }

  /** Resolve the member of staff behind a platform user, or null when unlinked. */
  async actorFor(platform: Platform, tenantId: string, platformUserId: string): Promise<Actor | null> {
    const id = await this.db.chatIdentity.findUnique({
      where: { platform_tenantId_platformUserId: { platform, tenantId, platformUserId } },
      select: { staff: { select: staffSelect } },
    });
    if (!id || !id.staff.active) return null;
    const s = toDto(id.staff);
    return { staffId: s.id, orgId: s.orgId, displayName: s.displayName, roles: s.roles };
  }

  async actorForStaff(staffId: string): Promise<Actor | null> {
    const s = await this.byId(staffId);
    return s?.active ? { staffId: s.id, orgId: s.orgId, displayName: s.displayName, roles: s.roles } : null;
  }

  /** Link (or re-link) a platform identity to a member of staff; keeps the latest conversation reference. */
  async linkIdentity(
    staffId: string,
    platform: Platform,
    tenantId: string,
    platformUserId: string,
    conversationRef?: unknown,
  ): Promise<void> {
    const ref = conversationRef === undefined ? undefined : (conversationRef as never);
    await this.db.chatIdentity.upsert({
      where: { platform_tenantId_platformUserId: { platform, tenantId, platformUserId } },
      create: { staffId, platform, tenantId, platformUserId, conversationRef: ref },
      update: { staffId, ...(ref !== undefined ? { conversationRef: ref } : {}) },
    });
  }
}
