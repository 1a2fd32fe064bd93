/**
 * Staff from MIS exports: matched by external id, then email. Imported roles replace the previous imported
 * roles; ADMIN (granted by an admin, never by a file) is kept. Line managers are linked after all rows.
 */
import type { Db } from './db.ts';
import type { Outcome } from './student-import-repository.ts';

type Role = import('../core/staff/roles.ts').Role;

export interface StaffUpsert {
  externalId: string | null;
  email: string;
  displayName: string;
  roles: Role[];
}

export interface StaffUpsertResult {
  outcome: Outcome;
  id: string;
  rolesBefore: Role[];
  rolesAfter: Role[];
}

export class StaffImportRepository {
  constructor(private readonly db: Db) {}

  /** email and external id -> staff id, for key workers and line managers. */
  async lookup(orgId: string): Promise<Map<string, string>> {
    const rows = await this.db.staff.findMany({
      where: { orgId },
      select: { id: true, email: true, externalId: true },
    });
    const m = new Map<string, string>();
    for (const s of rows) {
      m.set(s.email.toLowerCase(), s.id);
      if (s.externalId) m.set(s.externalId, s.id);
    }
    return m;
  }

  async upsert(orgId: string, rows: StaffUpsert[]): Promise<StaffUpsertResult[]> {
    return this.db.$transaction(async (tx) => {
      const out: StaffUpsertResult[] = [];
      for (const r of rows) {
        const hit =
          (r.externalId
            ? await tx.staff.findUnique({
                where: { orgId_externalId: { orgId, externalId: r.externalId } },
                select: {
                  id: true,
                  email: true,
                  displayName: true,
                  externalId: true,
                  roles: { select: { role: true } },
                },
              })
            : null) ??
          (await tx.staff.findUnique({
            where: { orgId_email: { orgId, email: r.email } },
            select: {
              id: true,
              email: true,
              displayName: true,
              externalId: true,
              roles: { select: { role: true } },
            },
          }));
        const before = (hit?.roles.map((x) => x.role) ?? []).sort() as Role[];
        const after = [
          ...new Set<Role>([...r.roles, ...(before.includes('ADMIN') ? (['ADMIN'] as Role[]) : [])]),
        ].sort();
        if (!hit) {
          const c = await tx.staff.create({
            data: {
              orgId,
              email: r.email,
              displayName: r.displayName,
              externalId: r.externalId,
              roles: { create: after.map((role) => ({ role })) },
            },
            select: { id: true },
          });
          out.push({ outcome: 'created', id: c.id, rolesBefore: [], rolesAfter: after });
          continue;
        }
        const same =
          hit.email === r.email &&
          hit.displayName === r.displayName &&
          (hit.externalId ?? null) === (r.externalId ?? hit.externalId ?? null) &&
          before.join() === after.join();
        if (same) {
          out.push({ outcome: 'unchanged', id: hit.id, rolesBefore: before, rolesAfter: after });
          continue;
        }
        await tx.staff.update({
          where: { id: hit.id },
          data: { email: r.email, displayName: r.displayName, externalId: r.externalId ?? hit.externalId },
        });
        if (before.join() !== after.join()) {
          await tx.staffRole.deleteMany({ where: { staffId: hit.id } });
          await tx.staffRole.createMany({ data: after.map((role) => ({ staffId: hit.id, role })) });
        }
        out.push({ outcome: 'updated', id: hit.id, rolesBefore: before, rolesAfter: after });
      }
      return out;
    });
  }

  /** Sets line managers; returns how many changed. */
  async linkLineManagers(pairs: { staffId: string; managerId: string | null }[]): Promise<number> {
    let changed = 0;
    await this.db.$transaction(async (tx) => {
      for (const p of pairs) {
        if (p.managerId === p.staffId) continue;
        const r = await tx.staff.updateMany({
          where: { id: p.staffId, NOT: { lineManagerId: p.managerId } },
          data: { lineManagerId: p.managerId },
        });
        // NOT { lineManagerId: x } does not match NULL rows in SQL; handle "was unset" explicitly.
        const r2 =
          p.managerId && r.count === 0
            ? await tx.staff.updateMany({
                where: { id: p.staffId, lineManagerId: null },
                data: { lineManagerId: p.managerId },
              })
            : { count: 0 };
        changed += r.count + r2.count;
      }
    });
    return changed;
  }
}
