/**
 * Students from MIS exports, matched by external id (MIS id) then UPN; plus the lookup index other imports
 * use to find a student. A row whose sourceHash is unchanged is not written (idempotent re-import).
 */
import type { Db } from './db.ts';

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface StudentUpsert {
  externalId: string | null;
  upn: string | null;
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
  yearGroup: string | null;
  senStatus: 'NONE' | 'K' | 'E';
  ehcp: boolean;
  childInCare: boolean;
  keyWorkerId: string | null;
  sourceHash: string;
}

export interface StudentIndex {
  byUpn: Map<string, string>;
  byExternalId: Map<string, string>;
  /** "normalised full name|year" -> id, or null when two students share it. */
  byNameYear: Map<string, string | null>;
}

export const nameKey = (name: string, year: string) =>
  `${name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim()}|${year}`;

export class StudentImportRepository {
  constructor(private readonly db: Db) {}

  async index(orgId: string): Promise<StudentIndex> {
    const rows = await this.db.student.findMany({
      where: { orgId },
      select: { id: true, upn: true, externalId: true, givenName: true, familyName: true, yearGroup: true },
    });
    const idx: StudentIndex = { byUpn: new Map(), byExternalId: new Map(), byNameYear: new Map() };
    for (const s of rows) {
      if (s.upn) idx.byUpn.set(s.upn.toUpperCase(), s.id);
      if (s.externalId) idx.byExternalId.set(s.externalId, s.id);
      if (s.yearGroup) {
        const k = nameKey(`${s.givenName} ${s.familyName}`, s.yearGroup);
        idx.byNameYear.set(k, idx.byNameYear.has(k) ? null : s.id);
      }
    }
    return idx;
  }

  async upsert(orgId: string, rows: StudentUpsert[]): Promise<{ outcome: Outcome; id: string }[]> {
    return this.db.$transaction(async (tx) => {
      const ext = rows.map((r) => r.externalId).filter((x): x is string => !!x);
      const upns = rows.map((r) => r.upn).filter((x): x is string => !!x);
      const existing = await tx.student.findMany({
        where: { orgId, OR: [{ externalId: { in: ext } }, { upn: { in: upns } }] },
        select: { id: true, externalId: true, upn: true, sourceHash: true },
      });
      const byExt = new Map(existing.filter((e) => e.externalId).map((e) => [e.externalId as string, e]));
      const byUpn = new Map(existing.filter((e) => e.upn).map((e) => [e.upn as string, e]));
      const out: { outcome: Outcome; id: string }[] = [];
      for (const r of rows) {
        const hit =
          (r.externalId ? byExt.get(r.externalId) : undefined) ?? (r.upn ? byUpn.get(r.upn) : undefined);
        const data = { ...r };
        if (hit && hit.sourceHash === r.sourceHash) {
          out.push({ outcome: 'unchanged', id: hit.id });
        } else if (hit) {
          await tx.student.update({ where: { id: hit.id }, data });
          out.push({ outcome: 'updated', id: hit.id });
        } else {
          const c = await tx.student.create({ data: { ...data, orgId }, select: { id: true } });
          const e = { id: c.id, externalId: r.externalId, upn: r.upn, sourceHash: r.sourceHash };
          if (r.externalId) byExt.set(r.externalId, e);
          if (r.upn) byUpn.set(r.upn, e);
          out.push({ outcome: 'created', id: c.id });
        }
      }
      return out;
    });
  }
}
