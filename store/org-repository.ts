import type { ExistingOrg, OrgSpec } from '../core/orgs/org-identity.ts';
import type { Db, Provider, Tx } from './db.ts';

export interface OrgDto {
  id: string;
  name: string;
  kind: string;
  timeZone: string;
  quietFrom: string;
  quietUntil: string;
}

/** An organisation as `send-hub org list` shows it. */
export interface OrgSummary extends ExistingOrg {
  staff: number;
  students: number;
  admins: string[];
}

/** The LA code is kept in the settings (a local authority has no URN). */
const laCodeOf = (settings: unknown): string | null => {
  const v = (settings as { laCode?: unknown } | null)?.laCode;
  return typeof v === 'string' ? v : null;
};

export class OrgRepository {
  constructor(
    private readonly db: Db,
    private readonly provider?: Provider,
  ) {}

  /** Every organisation with its identity, head counts and admins' e-mails, oldest first. */
  async summaries(): Promise<OrgSummary[]> {
    const rows = await this.db.organisation.findMany({
      select: {
        id: true,
        name: true,
        kind: true,
        urn: true,
        settings: true,
        _count: { select: { staff: true, students: true } },
        staff: {
          where: { active: true, roles: { some: { role: 'ADMIN' } } },
          select: { email: true },
          orderBy: { email: 'asc' },
        },
      },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((o) => ({
      id: o.id,
      name: o.name,
      kind: o.kind,
      urn: o.urn,
      laCode: laCodeOf(o.settings),
      staff: o._count.staff,
      students: o._count.students,
      admins: o.staff.map((s) => s.email),
    }));
  }

  /**
   * `send-hub org create`: in one transaction (one at a time on PostgreSQL), `decide` reads the
   * organisations there are; unless it returns a reason not to, the organisation is created with its first
   * administrator (role ADMIN, kept by every staff import) and `audit` records it in the same transaction.
   */
  async createUnlessDecided<T>(
    spec: OrgSpec,
    decide: (existing: ExistingOrg[]) => T | null,
    audit: (tx: Tx, created: { orgId: string; adminId: string }) => Promise<void>,
  ): Promise<{ refused: T } | { created: { orgId: string; adminId: string } }> {
    return this.db.$transaction(async (tx) => {
      if (this.provider === 'postgres') await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7264101)');
      const rows = await tx.organisation.findMany({
        select: { id: true, name: true, kind: true, urn: true, settings: true },
        orderBy: { createdAt: 'asc' },
      });
      const refused = decide(rows.map(({ settings, ...o }) => ({ ...o, laCode: laCodeOf(settings) })));
      if (refused !== null) return { refused };
      const org = await tx.organisation.create({
        data: {
          name: spec.name,
          kind: spec.kind,
          urn: spec.urn,
          ...(spec.laCode ? { settings: { laCode: spec.laCode } } : {}),
        },
        select: { id: true },
      });
      const admin = await tx.staff.create({
        data: {
          orgId: org.id,
          email: spec.adminEmail,
          displayName: spec.adminName,
          roles: { create: [{ role: 'ADMIN' }] },
        },
        select: { id: true },
      });
      const created = { orgId: org.id, adminId: admin.id };
      await audit(tx, created);
      return { created };
    });
  }

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
