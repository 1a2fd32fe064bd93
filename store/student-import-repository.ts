/**
 * Students from MIS exports, matched by external id (MIS id) then UPN, never onto another child's record
 * (a UPN identifies one child); plus the lookup index other imports use to find a student. A row whose
 * sourceHash is unchanged is not written (idempotent re-import).
 */
import type { Db } from './db.ts';

/** Rows whose students one lookup reads (two bound values a row, under SQLite's 999). */
const LOOKUP = 400;
/**
 * A chunk of up to 1,000 rows is one transaction of up to 1,000 statements: Prisma's default 5 s ran out on
 * PostgreSQL under load (P2028) and failed the import (as store/incident-import-repository.ts's batches).
 */
const STUDENT_TX = { maxWait: 60_000, timeout: 300_000 };

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
   *
   * With `rekey` (`send-hub import students <file> --rekey`, a school that moved to another MIS), a row whose
   * MIS id no student has and whose UPN a student holds under another MIS id moves that student to the new
   * MIS id (`rekeyed: true`), unless both dates of birth are known and differ (not the same child).
   */
  async upsert(
    orgId: string,
    rows: StudentUpsert[],
    opts: { rekey?: boolean } = {},
  ): Promise<UpsertResult[]> {
    return this.db.$transaction(async (tx) => {
      // Read LOOKUP rows' students at a time: an OR of two IN lists is one statement, and past ~999 bound
      // values SQLite's driver refuses it (P2029) and failed a batch of 1,000 rows.
      const found = new Map<
        string,
        {
          id: string;
          externalId: string | null;
          upn: string | null;
          sourceHash: string | null;
          dateOfBirth: string | null;
        }
      >();
      for (let i = 0; i < rows.length; i += LOOKUP) {
        const part = rows.slice(i, i + LOOKUP);
        const ext = part.map((r) => r.externalId).filter((x): x is string => !!x);
        const upns = part.map((r) => r.upn).filter((x): x is string => !!x);
        const hits = await tx.student.findMany({
          where: { orgId, OR: [{ externalId: { in: ext } }, { upn: { in: upns } }] },
          select: { id: true, externalId: true, upn: true, sourceHash: true, dateOfBirth: true },
        });
        for (const h of hits) found.set(h.id, h);
      }
      const existing = [...found.values()];
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
        if (upnHolder && mine && upnHolder.id !== mine.id) {
          out.push({ refused: opts.rekey ? MIS_ID_HELD : UPN_HELD });
          continue;
        }
        // The UPN's student is known by another MIS id, and no student has this row's: a new MIS id.
        const newMisId =
          !mine &&
          !!upnHolder &&
          !!r.externalId &&
          !!upnHolder.externalId &&
          upnHolder.externalId !== r.externalId;
        if (newMisId && !opts.rekey) {
          out.push({ refused: UPN_HELD_NEW_MIS_ID });
          continue;
        }
        if (newMisId && upnHolder?.dateOfBirth && r.dateOfBirth && upnHolder.dateOfBirth !== r.dateOfBirth) {
          out.push({ refused: REKEY_OTHER_BIRTH_DATE });
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
          remember(
            Object.assign(hit, {
              externalId: r.externalId,
              upn: r.upn,
              sourceHash: r.sourceHash,
              dateOfBirth: r.dateOfBirth,
            }),
          );
          out.push(
            newMisId ? { outcome: 'updated', id: hit.id, rekeyed: true } : { outcome: 'updated', id: hit.id },
          );
        } else {
          const c = await tx.student.create({ data: { ...data, orgId }, select: { id: true } });
          remember({
            id: c.id,
            externalId: r.externalId,
            upn: r.upn,
            sourceHash: r.sourceHash,
            dateOfBirth: r.dateOfBirth,
          });
          out.push({ outcome: 'created', id: c.id });
        }
      }
      return out;
    }, STUDENT_TX);
  }
}

/** The report's reason for a row whose MIS id is one student's and UPN another's (no value quoted). */
export const UPN_HELD =
  "this UPN is already another student's on the roll (a different MIS id); a UPN identifies one child, so the row is not imported and that student's record is left as it was: correct the UPN or the MIS id in the MIS, then import again";

/**
 * A row whose MIS id is new and whose UPN a student holds under another MIS id: another child claiming the
 * number, or the same child after the school moved to another MIS (the reason names the option for that).
 */
export const UPN_HELD_NEW_MIS_ID = `${UPN_HELD}; if the school has moved to another MIS (new MIS ids for the same children), import the file with --rekey (docs/imports.md)`;

/** --rekey: the row's MIS id is already another student's (the UPN's student is not moved onto it). */
export const MIS_ID_HELD =
  "this MIS id is already another student's on the roll, and the UPN is another's: the student with this UPN is not moved to this MIS id (--rekey) and neither record is changed: check both in the MIS";

/** --rekey: the UPN's student has another date of birth than the row: not taken for the same child. */
export const REKEY_OTHER_BIRTH_DATE =
  "this UPN is already another student's on the roll, with another date of birth: not taken for the same child, so the student is not moved to this MIS id (--rekey) and the record is left as it was: check both in the MIS";

export type UpsertResult = { outcome: Outcome; id: string; rekeyed?: true } | { refused: string };
