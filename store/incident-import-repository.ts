/**
 * Incidents from CPOMS-style and MIS behaviour exports, keyed by (org, source, externalId). Text arrives
 * already encrypted (Incident.textEnc); an unchanged sourceHash (the row's content hash) means nothing is
 * written, so importing the same file twice writes nothing new.
 *
 * One transaction per batch, and in it everything the batch writes: the incidents, the batch's rejected rows
 * and its safeguarding rows for the import report. SQLite: prepared statements through the driver
 * (sqlite-incident-batch.ts); PostgreSQL: Prisma raw statements, the rows as one JSON parameter
 * (bulk-write.ts, deadline-bulk.ts). A batch that fails half way leaves none of its rows
 * behind. Prisma's createManyAndReturn cost ~0.5 ms a row (a query plan per statement, issue 18); the JSON
 * statements cost what the database costs.
 */

import { studentLabel } from '../core/students/student-label.ts';
import { bulkUpdate, orderedIds } from './bulk-write.ts';
import type { Db, Provider } from './db.ts';
import { type BulkColumn, bulkInsert } from './deadline-bulk.ts';
import type { RejectionDto } from './import-repository.ts';
import { concernsOfIncidents, concernsOfUnmatchedKeys, parseUnmatchedKey } from './incident-concern-keys.ts';
import { writeSqliteBatch } from './sqlite-incident-batch.ts';
import type { Outcome } from './student-import-repository.ts';

export interface IncidentUpsert {
  externalId: string;
  /**
   * The key an earlier version stored the same row under (a CPOMS row with no Incident ID was keyed with
   * the student it resolved to): a stored incident under it is this row's, and keeps that key.
   */
  formerExternalId?: string;
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
  /**
   * The file line and safeguarding category, when the incident is in one: a created or changed row is then
   * listed in the import report (ImportConcernRow), in the same transaction.
   */
  concern?: { line: number; category: string } | null;
}

/** The import report's share of one batch, written in the batch's transaction. */
export interface BatchReport {
  runId: string;
  /** The file's name, for each rejection (the report says file, line and field). */
  file: string;
  rejections: Omit<RejectionDto, 'file'>[];
  /**
   * Rows in a safeguarding category whose pupil matched no student: no Incident can be stored for them, so
   * each is kept as a report row with the pupil as given (encrypted), in the same transaction, for the
   * not-on-roll concern raised from it (app/safeguarding/incident-concerns.ts).
   */
  unmatched?: UnmatchedConcernRow[];
}

/** A safeguarding row whose pupil is not on the roll (ImportConcernRow with notOnRollEnc). */
export interface UnmatchedConcernRow {
  /** The report row's id, given by the caller (orderedIds): the event names it. */
  id: string;
  line: number;
  category: string;
  /** "unmatched:<source>:<the export's incident id>": the not-on-roll concern's externalId. */
  key: string;
  notOnRollEnc: string;
  occurredAt: Date;
}

const DATA_COLUMNS: BulkColumn[] = [
  { name: 'studentId', type: 'text' },
  { name: 'occurredAt', type: 'timestamp' },
  { name: 'categories', type: 'text' },
  { name: 'textEnc', type: 'text' },
  { name: 'actionsEnc', type: 'text' },
  { name: 'reportedBy', type: 'text' },
  { name: 'assignedTo', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'linkedUpns', type: 'text' },
  { name: 'points', type: 'int' },
  { name: 'sourceHash', type: 'text' },
  { name: 'updatedAt', type: 'timestamp' },
];
const INSERT_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'orgId', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'externalId', type: 'text' },
  { name: 'createdAt', type: 'timestamp' },
  ...DATA_COLUMNS,
];
const REJECTION_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'runId', type: 'text' },
  { name: 'file', type: 'text' },
  { name: 'line', type: 'int' },
  { name: 'field', type: 'text' },
  { name: 'reason', type: 'text' },
];
const CONCERN_ROW_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'runId', type: 'text' },
  { name: 'line', type: 'int' },
  { name: 'category', type: 'text' },
  { name: 'incidentId', type: 'text' },
  { name: 'notOnRollEnc', type: 'text' },
  { name: 'occurredAt', type: 'timestamp' },
];

/** An interactive transaction's default 5 s is too short for a 1,000-row batch on a loaded machine. */
const BATCH_TX = { maxWait: 60_000, timeout: 300_000 };

type Plan = {
  inserts: Record<string, unknown>[];
  updates: Record<string, unknown>[];
  rejections: Record<string, unknown>[];
  concernRows: Record<string, unknown>[];
  out: { outcome: Outcome; id: string }[];
};

const names = (cols: BulkColumn[]) => cols.map((c) => c.name);
const SQLITE_COLUMNS = {
  incident: names(INSERT_COLUMNS),
  update: names(DATA_COLUMNS),
  rejection: names(REJECTION_COLUMNS),
  concernRow: names(CONCERN_ROW_COLUMNS),
};

export class IncidentImportRepository {
  /** `url`: the database's; on SQLite the batches are written through the driver (sqlite-incident-batch.ts). */
  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
    private readonly url?: string,
  ) {}

  /**
   * Create, update or leave each row (by its content hash), and write `report` (rejections, safeguarding
   * rows), all in one transaction. Outcomes in the order of `rows`.
   */
  async upsert(
    orgId: string,
    source: string,
    rows: IncidentUpsert[],
    report?: BatchReport,
  ): Promise<{ outcome: Outcome; id: string }[]> {
    const plan = (existing: Map<string, { id: string; sourceHash: string }>) =>
      planBatch(orgId, source, rows, existing, report);
    if (this.provider === 'sqlite' && this.url) {
      const externalIds = keysOf(rows);
      const p = await writeSqliteBatch(this.url, { orgId, source, externalIds, plan }, SQLITE_COLUMNS);
      return (p as Plan).out;
    }
    const { provider } = this;
    return this.db.$transaction(async (tx) => {
      const db = tx as unknown as Db;
      const p = plan(rows.length ? await this.existing(db, orgId, source, rows) : new Map());
      await bulkInsert(db, provider, 'Incident', INSERT_COLUMNS, p.inserts);
      await bulkUpdate(db, provider, 'Incident', 'id', DATA_COLUMNS, p.updates);
      await bulkInsert(db, provider, 'ImportRejection', REJECTION_COLUMNS, p.rejections);
      await bulkInsert(db, provider, 'ImportConcernRow', CONCERN_ROW_COLUMNS, p.concernRows);
      return p.out;
    }, BATCH_TX);
  }

  /** The batch's incidents already stored: one statement, the keys as one JSON parameter. */
  private async existing(
    db: Db,
    orgId: string,
    source: string,
    rows: IncidentUpsert[],
  ): Promise<Map<string, { id: string; sourceHash: string }>> {
    const keys = JSON.stringify(keysOf(rows));
    const found = await db.$queryRawUnsafe<{ id: string; externalId: string; sourceHash: string }[]>(
      'SELECT "id", "externalId", "sourceHash" FROM "Incident" WHERE "orgId" = $1 AND "source" = $2 AND "externalId" IN (SELECT json_array_elements_text($3::json))',
      orgId,
      source,
      keys,
    );
    return new Map(found.map((e) => [e.externalId, e]));
  }
}

/** The keys a batch's rows may be stored under: their own, and any former one. */
const keysOf = (rows: IncidentUpsert[]): string[] =>
  rows.flatMap((r) => (r.formerExternalId ? [r.externalId, r.formerExternalId] : [r.externalId]));

/** What one batch writes, given what is stored: by content hash, unchanged rows are not touched. */
function planBatch(
  orgId: string,
  source: string,
  rows: IncidentUpsert[],
  existing: Map<string, { id: string; sourceHash: string }>,
  report: BatchReport | undefined,
): Plan {
  const now = new Date();
  const ids = orderedIds(rows.length);
  const p: Plan = { inserts: [], updates: [], rejections: [], concernRows: [], out: new Array(rows.length) };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as IncidentUpsert;
    const hit =
      existing.get(r.externalId) ?? (r.formerExternalId ? existing.get(r.formerExternalId) : undefined);
    if (hit && hit.sourceHash === r.sourceHash) {
      p.out[i] = { outcome: 'unchanged', id: hit.id };
      continue;
    }
    const id = hit?.id ?? (ids[i] as string);
    if (hit) p.updates.push({ id, ...toData(r, now) });
    else p.inserts.push({ id, orgId, source, externalId: r.externalId, createdAt: now, ...toData(r, now) });
    p.out[i] = { outcome: hit ? 'updated' : 'created', id };
    if (r.concern && report) p.concernRows.push({ runId: report.runId, ...r.concern, incidentId: id });
  }
  if (report) {
    const more = orderedIds(report.rejections.length + p.concernRows.length);
    p.rejections = report.rejections.map((x, k) => ({
      id: more[k],
      runId: report.runId,
      file: report.file,
      ...x,
    }));
    p.concernRows.forEach((c, k) => {
      c.id = more[report.rejections.length + k];
    });
    for (const u of report.unmatched ?? [])
      p.concernRows.push({
        id: u.id,
        runId: report.runId,
        line: u.line,
        category: u.category,
        incidentId: u.key,
        notOnRollEnc: u.notOnRollEnc,
        occurredAt: u.occurredAt,
      });
  }
  return p;
}

function toData(r: IncidentUpsert, now: Date) {
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
    updatedAt: now,
  };
}

/** A row of an import whose incident is in a safeguarding category (the import report). */
export interface ImportConcernRowDto {
  line: number;
  category: string;
  incidentId: string;
  /** The concern raised for the incident, when there is one (source "incident", externalId = incident id). */
  concernId: string | null;
  /** The pupil matched no student: the concern is about a pupil not on the roll (the DSL links the record). */
  notOnRoll: boolean;
  /**
   * The concern was raised the other way by an earlier import: while the pupil was not matched on the roll
   * (this row matched), or from the incident stored when they were (this row did not match).
   */
  otherWay: boolean;
  /** The pupil the import matched for this incident (initials and year only), if any. */
  matchedTo: string | null;
  /** The pupil the concern is linked to (initials and year only), if any. */
  linkedTo: string | null;
  /** The concern is linked to another pupil than the one the import matched (the DSL checks). */
  linkedElsewhere: boolean;
}

export class ImportConcernRows {
  constructor(private readonly db: Db) {}

  async record(runId: string, rows: { line: number; category: string; incidentId: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.importConcernRow.createMany({ data: rows.map((r) => ({ runId, ...r })) });
  }

  async forRun(runId: string, limit = 200): Promise<{ rows: ImportConcernRowDto[]; total: number }> {
    const [rows, total, run] = await Promise.all([
      this.db.importConcernRow.findMany({
        where: { runId },
        orderBy: { line: 'asc' },
        take: limit,
        select: { line: true, category: true, incidentId: true, notOnRollEnc: true },
      }),
      this.db.importConcernRow.count({ where: { runId } }),
      this.db.importRun.findUnique({ where: { id: runId }, select: { orgId: true } }),
    ]);
    if (!run || rows.length === 0) return { rows: [], total };
    const { orgId } = run;
    // A stored incident's concern, or its unmatched row's (by organisation: "unmatched:cpoms:INC-9" is
    // unique within one only), under either key: store/incident-concern-keys.ts.
    const incidents = await this.db.incident.findMany({
      where: { id: { in: rows.filter((r) => r.notOnRollEnc === null).map((r) => r.incidentId) } },
      select: { id: true, orgId: true, source: true, externalId: true, studentId: true },
    });
    const studentOf = new Map(incidents.map((i) => [i.id, i.studentId]));
    const ofIncident = await concernsOfIncidents(this.db, incidents);
    const ofKey = await concernsOfUnmatchedKeys(
      this.db,
      rows.filter((r) => r.notOnRollEnc !== null).map((r) => ({ orgId, key: r.incidentId })),
    );
    const found = rows.map((r) => {
      if (r.notOnRollEnc === null) {
        const c = ofIncident.get(r.incidentId);
        return c && { ...c, incidentStudentId: studentOf.get(r.incidentId) ?? null };
      }
      return ofKey.get(`${orgId} ${r.incidentId}`);
    });
    const ids = found.flatMap((c) => (c ? [c.studentId, c.incidentStudentId] : []));
    const students = await this.db.student.findMany({
      where: { id: { in: [...new Set(ids.filter((x): x is string => x !== null))] } },
      select: { id: true, givenName: true, familyName: true, yearGroup: true },
    });
    const label = new Map(students.map((s) => [s.id, studentLabel(s)]));
    const of = (id: string | null | undefined) => (id ? (label.get(id) ?? null) : null);
    return {
      rows: rows.map(({ notOnRollEnc, ...r }, k) => {
        const c = found[k];
        return {
          ...r,
          concernId: c?.concernId ?? null,
          notOnRoll: notOnRollEnc !== null,
          otherWay: c?.otherWay ?? false,
          matchedTo: of(c?.incidentStudentId),
          linkedTo: of(c?.studentId),
          linkedElsewhere: Boolean(
            c?.studentId && c.incidentStudentId && c.studentId !== c.incidentStudentId,
          ),
        };
      }),
      total,
    };
  }
}

/** The encrypted text of one imported incident (the DSL's chronology export decrypts it). */
export async function incidentSecret(
  db: Db,
  incidentId: string,
  orgId?: string,
): Promise<{ source: string; externalId: string; textEnc: string | null; actionsEnc: string | null } | null> {
  const select = { source: true, externalId: true, textEnc: true, actionsEnc: true } as const;
  // A concern raised while the pupil was not on the roll is keyed "unmatched:<source>:<id>": its incident
  // is stored once a later import matched the pupil.
  const key = parseUnmatchedKey(incidentId);
  if (key)
    return orgId
      ? db.incident.findUnique({
          where: { orgId_source_externalId: { orgId, source: key.source, externalId: key.externalId } },
          select,
        })
      : null;
  return db.incident.findUnique({ where: { id: incidentId }, select });
}
