/**
 * Incidents from CPOMS-style and MIS behaviour exports, keyed by (org, source, externalId). Text arrives
 * already encrypted (Incident.textEnc); an unchanged sourceHash means nothing is written.
 */
import type { Db } from './db.ts';
import type { Outcome } from './student-import-repository.ts';

export interface IncidentUpsert {
  externalId: string;
  studentId: string;
  occurredAt: Date;
  categories: string;
  /** Called only for rows that will be written (encryption is not free on a million rows). */
  encrypt: () => { textEnc: string | null; actionsEnc: string | null };
  reportedBy: string | null;
  assignedTo: string | null;
  status: string | null;
  linkedUpns: string | null;
  points: number | null;
  sourceHash: string;
}

/** Rows per INSERT statement (a transaction holds several). */
const WRITE_CHUNK = 200;

export class IncidentImportRepository {
  constructor(private readonly db: Db) {}

  async upsert(
    orgId: string,
    source: string,
    rows: IncidentUpsert[],
  ): Promise<{ outcome: Outcome; id: string }[]> {
    return this.db.$transaction(async (tx) => {
      const existing = await tx.incident.findMany({
        where: { orgId, source, externalId: { in: rows.map((r) => r.externalId) } },
        select: { id: true, externalId: true, sourceHash: true },
      });
      const byExt = new Map(existing.map((e) => [e.externalId, e]));
      const toCreate: {
        i: number;
        data: ReturnType<typeof toData> & { orgId: string; source: string; externalId: string };
      }[] = [];
      const out: { outcome: Outcome; id: string }[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as IncidentUpsert;
        const hit = byExt.get(r.externalId);
        if (hit && hit.sourceHash === r.sourceHash) out[i] = { outcome: 'unchanged', id: hit.id };
        else if (hit) {
          await tx.incident.update({ where: { id: hit.id }, data: toData(r) });
          out[i] = { outcome: 'updated', id: hit.id };
        } else toCreate.push({ i, data: { ...toData(r), orgId, source, externalId: r.externalId } });
      }
      // In statements of WRITE_CHUNK rows: Prisma compiles a query plan per statement (about 8 KB of objects
      // per row) and its debug ring keeps the last hundred, so a 1,000-row statement keeps ~80 MB alive.
      for (let k = 0; k < toCreate.length; k += WRITE_CHUNK) {
        const part = toCreate.slice(k, k + WRITE_CHUNK);
        const created = await tx.incident.createManyAndReturn({
          data: part.map((c) => c.data),
          select: { id: true, externalId: true },
        });
        const ids = new Map(created.map((c) => [c.externalId, c.id]));
        for (const c of part) out[c.i] = { outcome: 'created', id: ids.get(c.data.externalId) as string };
      }
      return out;
    });
  }
}

function toData(r: IncidentUpsert) {
  const { textEnc, actionsEnc } = r.encrypt();
  return {
    studentId: r.studentId,
    occurredAt: r.occurredAt,
    categories: r.categories,
    textEnc,
    actionsEnc,
    reportedBy: r.reportedBy,
    assignedTo: r.assignedTo,
    status: r.status,
    linkedUpns: r.linkedUpns,
    points: r.points,
    sourceHash: r.sourceHash,
  };
}

/** A row of an import whose incident is in a safeguarding category (the import report). */
export interface ImportConcernRowDto {
  line: number;
  category: string;
  incidentId: string;
  /** The concern raised for the incident, when there is one (source "incident", externalId = incident id). */
  concernId: string | null;
}

export class ImportConcernRows {
  constructor(private readonly db: Db) {}

  async record(runId: string, rows: { line: number; category: string; incidentId: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.importConcernRow.createMany({ data: rows.map((r) => ({ runId, ...r })) });
  }

  async forRun(runId: string, limit = 200): Promise<{ rows: ImportConcernRowDto[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.db.importConcernRow.findMany({
        where: { runId },
        orderBy: { line: 'asc' },
        take: limit,
        select: { line: true, category: true, incidentId: true },
      }),
      this.db.importConcernRow.count({ where: { runId } }),
    ]);
    const concerns = rows.length
      ? await this.db.concern.findMany({
          where: { source: 'incident', externalId: { in: rows.map((r) => r.incidentId) } },
          select: { id: true, externalId: true },
        })
      : [];
    const byIncident = new Map(concerns.map((c) => [c.externalId, c.id]));
    return { rows: rows.map((r) => ({ ...r, concernId: byIncident.get(r.incidentId) ?? null })), total };
  }
}

/** The encrypted text of one imported incident (the DSL's chronology export decrypts it). */
export async function incidentSecret(
  db: Db,
  incidentId: string,
): Promise<{ source: string; externalId: string; textEnc: string | null; actionsEnc: string | null } | null> {
  return db.incident.findUnique({
    where: { id: incidentId },
    select: { source: true, externalId: true, textEnc: true, actionsEnc: true },
  });
}
