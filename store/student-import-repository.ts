/**
 * Students from MIS exports, matched by external id (MIS id) then UPN, never onto another child's record
 * (a UPN identifies one child); plus the lookup index other imports use to find a student. A row whose
 * sourceHash is unchanged is not written (idempotent re-import).
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

  /**
   * Creates or updates each row's student, matched by MIS id, else by UPN. A UPN identifies one child: a row
   * whose UPN is already another student's (a different MIS id) is refused, never written over that child's
   * record (`{ refused }`, the report's field and reason); so is a row matched by MIS id whose UPN another
   * student holds (the unique index would otherwise fail the whole batch).
   */
  async upsert(orgId: string, rows: StudentUpsert[]): Promise<UpsertResult[]> {
    return this.db.$transaction(async (tx) => {
      const ext = rows.map((r) => r.externalId).filter((x): x is string => !!x);
      const upns = rows.map((r) => r.upn).filter((x): x is string => !!x);
      const existing = await tx.student.findMany({
        where: { orgId, OR: [{ externalId: { in: ext } }, { upn: { in: upns } }] },
        select: { id: true, externalId: true, upn: true, sourceHash: true },
      });
      type Known = (typeof existing)[number];
      const byExt = new Map(existing.filter((e) => e.externalId).map((e) => [e.externalId as string, e]));
      const byUpn = new Map(existing.filter((e) => e.upn).map((e) => [e.upn as string, e]));
      const remember = (e: Known) => {
        if (e.externalId) byExt.set(e.externalId, e);
        if (e.upn) byUpn.set(e.upn, e);
      };
      const out: UpsertResult[] = [];
      for (const r of rows) {
        const mine = r.externalId ? byExt.get(r.externalId) : undefined;
        const upnHolder = r.upn ? byUpn.get(r.upn) : undefined;
        const hit = mine ?? upnHolder;
        const otherChild =
          upnHolder !== undefined &&
          (mine
            ? upnHolder.id !== mine.id
            : !!r.externalId && !!upnHolder.externalId && upnHolder.externalId !== r.externalId);
        if (otherChild) {
          out.push({ refused: UPN_HELD });
          continue;
        }
        const data = { ...r };
        if (hit && hit.sourceHash === r.sourceHash) {
          out.push({ outcome: 'unchanged', id: hit.id });
        } else if (hit) {
          await tx.student.update({ where: { id: hit.id }, data });
          if (hit.upn && hit.upn !== r.upn && byUpn.get(hit.upn) === hit) byUpn.delete(hit.upn);
          if (hit.externalId && hit.externalId !== r.externalId && byExt.get(hit.externalId) === hit)
            byExt.delete(hit.externalId);
          remember(Object.assign(hit, { externalId: r.externalId, upn: r.upn, sourceHash: r.sourceHash }));
          out.push({ outcome: 'updated', id: hit.id });
        } else {
          const c = await tx.student.create({ data: { ...data, orgId }, select: { id: true } });
          remember({ id: c.id, externalId: r.externalId, upn: r.upn, sourceHash: r.sourceHash });
          out.push({ outcome: 'created', id: c.id });
        }
      }
      return out;
    });
  }
}

/** The report's reason for a row whose UPN another student on the roll already has (no value quoted). */
export const UPN_HELD =
  "this UPN is already another student's on the roll (a different MIS id); a UPN identifies one child, so the row is not imported and that student's record is left as it was: correct the UPN or the MIS id in the MIS, then import again";

export type UpsertResult = { outcome: Outcome; id: string } | { refused: string };
