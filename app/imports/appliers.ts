/**
 * How each export kind's parsed rows are written: resolve students and staff, hash rows for idempotency,
 * encrypt incident text, and say which incidents are safeguarding ones (for the 'incident.imported' event).
 */
import { createHash } from 'node:crypto';
import { rolesFromTitles } from '../../core/staff/job-titles.ts';
import type { AttendanceRow } from '../../integrations/arbor/attendance-connector.ts';
import type { BehaviourRow } from '../../integrations/arbor/behaviour-connector.ts';
import type { StaffRow } from '../../integrations/arbor/staff-connector.ts';
import type { ExportKind } from '../../integrations/connector.ts';
import type { CpomsRow, StudentKey } from '../../integrations/cpoms/cpoms-connector.ts';
import type { Rejection } from '../../integrations/exports/parse-export.ts';
import { SeenKeys } from '../../integrations/exports/seen-keys.ts';
import { AttendanceImportRepository } from '../../store/attendance-import-repository.ts';
import { orderedIds } from '../../store/bulk-write.ts';
import {
  type BatchReport,
  IncidentImportRepository,
  type IncidentUpsert,
  type UnmatchedConcernRow,
} from '../../store/incident-import-repository.ts';
import { StaffImportRepository } from '../../store/staff-import-repository.ts';
import {
  nameKey,
  type Outcome,
  StudentImportRepository,
  type StudentIndex,
} from '../../store/student-import-repository.ts';
import { titleRulesFor } from '../config/role-map.ts';
import type { Hub } from '../container.ts';
import { UNMATCHED_CONTEXT } from '../safeguarding/incident-concerns.ts';
import { studentsApplier } from './students-applier.ts';

export interface BatchResult {
  outcomes: Outcome[];
  rejections: Rejection[];
  /** Safeguarding incidents written in this batch (emitted after commit; listed in the import report). */
  incidents: {
    incidentId: string;
    studentId: string;
    categories: string[];
    isNew: boolean;
    /** The file line and the category on the safeguarding list that matched. */
    line: number;
    category: string;
    occurredAt: Date;
  }[];
  /** Unmatched safeguarding rows stored in this batch (ImportConcernRow ids; emitted after commit). */
  unmatched?: string[];
}

export interface Applier {
  /**
   * Write one batch. With `report` (appliers that set `writesReport`), the batch's rejected rows and
   * safeguarding rows are written in the batch's own transaction, together with its records: a batch that
   * fails half way leaves nothing of itself, not even its half of the report.
   */
  apply(batch: { line: number; row: unknown }[], report?: BatchReport): Promise<BatchResult>;
  /** apply() writes the report's rows itself (given `report`). */
  writesReport?: boolean;
  /** Rows per batch (one transaction each), when not 1,000. */
  batchSize?: number;
  /** After the last batch (line managers). */
  finish?(): Promise<void>;
  /**
   * Each row of the whole file (as its batch will see it), before the first batch is written, when the file
   * is bigger than one batch: file-wide checks whose refusal must reach rows of an earlier batch (students:
   * a UPN claimed by two rows).
   */
  prescan?(line: number, row: unknown): void;
  /** Lines for the run's message (the report), after the last batch. */
  notes?(): string[];
}

/** What the person running the import asked for (the CLI's options), and the run. */
export interface ApplierOptions {
  /** Students: move a student whose UPN matches to the row's new MIS id (a school that changed MIS). */
  rekey?: boolean;
  runId?: string;
  via?: string;
}

/**
 * SHA-256 of `v` as JSON; a Date as its ISO string. JSON.stringify calls a Date's toJSON (its
 * toISOString) itself, so no replacer function is needed (one cost ~2 µs a row: issue 18).
 */
export const hashOf = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/**
 * Which of an incident's categories is on the organisation's safeguarding list (exact, never a substring:
 * core/escalations/safeguarding-categories.ts), or null.
 */
export type SafeguardingClassifier = (categories: string[]) => { category: string } | null;

/**
 * The key of a CPOMS row with no Incident ID: the row's own content as written in the file (the pupil as
 * given: name, UPN, MIS id, year group; when; categories; text), never the student it resolved to. The
 * same row is then one incident, and one concern, whether its pupil was on the roll when it was imported
 * or not, or was matched another way (docs/imports.md "One incident, one concern"). The Actions column is
 * left out: CPOMS adds to it after the incident, and the incident is the same one.
 */
export function rowContentKey(r: Pick<CpomsRow, 'student' | 'occurredAt' | 'categories' | 'text'>): string {
  const k = r.student;
  const pupil = {
    name: k.name ?? null,
    upn: k.upn ?? null,
    misId: k.misId ?? null,
    yearGroup: k.yearGroup ?? null,
  };
  return `h:${hashOf([pupil, r.occurredAt, r.categories, r.text ?? null]).slice(0, 32)}`;
}

/** Why a row's pupil matched no student: the report's field and reason. */
type NoMatch = { field: string; reason: string };

function resolveStudent(
  idx: StudentIndex,
  key: StudentKey | { upn: string | null; externalId: string | null },
): string | NoMatch {
  if (key.upn) {
    const id = idx.byUpn.get(key.upn);
    if (id) return id;
  }
  const mis = 'misId' in key ? key.misId : key.externalId;
  if (mis) {
    const id = idx.byExternalId.get(mis);
    if (id) return id;
  }
  if ('name' in key && key.name && key.yearGroup) {
    const n = key.name.includes(',') ? key.name.split(',').reverse().join(' ') : key.name;
    const id = idx.byNameYear.get(nameKey(n, key.yearGroup));
    if (id) return id;
    if (id === null) return no('two students share this name and year group: add the UPN');
  }
  if (key.upn || mis) return no('no student with this UPN or MIS id (import students first)');
  if ('name' in key && key.name && !key.yearGroup)
    return {
      field: 'yearGroup',
      reason: 'missing: a name is matched only with a year group (or give the UPN)',
    };
  return no('no UPN or MIS id, and the name with year group matches no single student');
}
const no = (reason: string): NoMatch => ({ field: 'student', reason });

/**
 * A safeguarding row whose pupil matched no student, as its report row (the pupil as given, encrypted) and
 * the externalId it is known by in the file (its duplicate check).
 */
function unmatchedRow(
  ctx: Ctx,
  source: 'cpoms' | 'arbor',
  line: number,
  r: CpomsRow & BehaviourRow,
  category: string,
): { externalId: string; row: UnmatchedConcernRow } {
  const k = r.student as Partial<StudentKey> & { externalId?: string | null };
  const pupil = {
    name: k.name ?? null,
    upn: k.upn ?? null,
    misId: k.misId ?? k.externalId ?? null,
    yearGroup: k.yearGroup ?? null,
    actions: source === 'cpoms' ? (r as CpomsRow).actions : null,
  };
  const externalId =
    source === 'cpoms'
      ? ((r as CpomsRow).incidentId ?? rowContentKey(r as CpomsRow))
      : (r as BehaviourRow).externalId;
  const [id] = orderedIds(1);
  return {
    externalId,
    row: {
      id: id as string,
      line,
      category,
      key: `unmatched:${source}:${externalId}`,
      notOnRollEnc: ctx.hub.cipher.encryptJson(pupil, UNMATCHED_CONTEXT),
      occurredAt: r.occurredAt,
    },
  };
}

interface Ctx {
  hub: Hub;
  orgId: string;
  students: StudentIndex;
  staff: Map<string, string>;
  isSafeguarding: SafeguardingClassifier;
  /** Rows the dry pass counted: the duplicate check's table is sized once for them (seen-keys.ts). */
  expectedRows?: number;
}

// 2,500 rows a batch: the rows held until their commit are ~5 MB less of the import's peak than at 5,000
// (issue 18: 200,000 rows 141 -> 138 MB, CPU unchanged), for twice the commits (~400 at a million rows).
const INCIDENT_BATCH = 2500;

function incidentApplier(ctx: Ctx, source: 'cpoms' | 'arbor'): Applier {
  const repo = new IncidentImportRepository(ctx.hub.dbh.db, ctx.hub.dbh.provider, ctx.hub.dbh.url);
  const cipher = ctx.hub.cipher;
  // Duplicates across the whole file, not just one batch (bounded memory: seen-keys.ts).
  const seen = new SeenKeys(ctx.expectedRows);
  return {
    writesReport: true,
    // Each commit costs the database's journal writes and fsyncs (~25 ms on a loaded disk): 1,000 of them
    // for a million rows at 1,000 a batch. A 2,500-row batch holds the write lock ~0.15 s.
    batchSize: INCIDENT_BATCH,
    async apply(batch, report) {
      const rejections: Rejection[] = [];
      const upserts: { line: number; u: IncidentUpsert; cats: string[] }[] = [];
      const unmatched: UnmatchedConcernRow[] = [];
      for (const { line, row } of batch) {
        const isCpoms = source === 'cpoms';
        const r = row as CpomsRow & BehaviourRow;
        const studentId = resolveStudent(ctx.students, r.student);
        if (typeof studentId !== 'string') {
          rejections.push({ line, ...studentId });
          // In a safeguarding category, the pupil not on the roll still reaches the DSL (a concern).
          const hit = ctx.isSafeguarding(r.categories);
          if (hit) {
            const u = unmatchedRow(ctx, source, line, r, hit.category);
            if (seen.firstLine(u.externalId, line) === undefined) unmatched.push(u.row);
          }
          continue;
        }
        const text = r.text ?? null;
        const actions = isCpoms ? (r as CpomsRow).actions : null;
        const contentKeyed = isCpoms && !(r as CpomsRow).incidentId;
        const externalId = contentKeyed
          ? rowContentKey(r as CpomsRow)
          : isCpoms
            ? ((r as CpomsRow).incidentId as string)
            : (r as BehaviourRow).externalId;
        const dup = seen.firstLine(externalId, line);
        if (dup !== undefined) {
          rejections.push({ line, field: 'incidentId', reason: `duplicate of the incident on line ${dup}` });
          continue;
        }
        const hit = ctx.isSafeguarding(r.categories);
        upserts.push({
          line,
          cats: r.categories,
          u: {
            concern: hit ? { line, category: hit.category } : null,
            externalId,
            // Stored before rowContentKey, keyed with the resolved student: found under that key still.
            formerExternalId: contentKeyed
              ? `h:${hashOf([studentId, r.occurredAt, r.categories, text]).slice(0, 32)}`
              : undefined,
            studentId,
            occurredAt: r.occurredAt,
            categories: r.categories.join('|'),
            encrypt: () => ({
              textEnc: text ? cipher.encrypt(text, 'Incident.textEnc') : null,
              actionsEnc: actions ? cipher.encrypt(actions, 'Incident.actionsEnc') : null,
            }),
            reportedBy: r.reportedBy,
            assignedTo: isCpoms ? (r as CpomsRow).assignedTo : null,
            status: r.status,
            linkedUpns:
              isCpoms && (r as CpomsRow).linkedUpns.length ? (r as CpomsRow).linkedUpns.join('|') : null,
            points: isCpoms ? null : (r as BehaviourRow).points,
            sourceHash: hashOf({ ...r, text: undefined, textHash: text ? hashOf(text) : null, studentId }),
          },
        });
      }
      const fileReport = report && {
        ...report,
        rejections: [...report.rejections, ...rejections],
        unmatched,
      };
      const res =
        upserts.length || fileReport?.rejections.length
          ? await repo.upsert(
              ctx.orgId,
              source,
              upserts.map((x) => x.u),
              fileReport,
            )
          : [];
      const incidents: BatchResult['incidents'] = [];
      res.forEach((o, i) => {
        const u = upserts[i];
        if (!u || o.outcome === 'unchanged' || !u.u.concern) return;
        incidents.push({
          line: u.line,
          category: u.u.concern.category,
          incidentId: o.id,
          studentId: u.u.studentId,
          categories: u.cats,
          isNew: o.outcome === 'created',
          occurredAt: u.u.occurredAt,
        });
      });
      return {
        outcomes: res.map((r) => r.outcome),
        rejections,
        // Both sources: a behaviour export's category is judged by the same explicit list.
        incidents,
        unmatched: fileReport ? unmatched.map((u) => u.id) : [],
      };
    },
  };
}

function attendanceApplier(ctx: Ctx): Applier {
  const repo = new AttendanceImportRepository(ctx.hub.dbh.db);
  return {
    async apply(batch) {
      const rejections: Rejection[] = [];
      const rows: Parameters<AttendanceImportRepository['upsert']>[1] = [];
      for (const { line, row } of batch) {
        const r = row as AttendanceRow;
        const studentId = resolveStudent(ctx.students, r.student);
        if (typeof studentId !== 'string') {
          rejections.push({ line, ...studentId });
          continue;
        }
        const { student: _s, ...rest } = r;
        rows.push({ ...rest, studentId, sourceHash: hashOf(rest) });
      }
      const res = rows.length ? await repo.upsert(ctx.orgId, rows) : [];
      return { outcomes: res.map((r) => r.outcome), rejections, incidents: [] };
    },
  };
}

function staffApplier(ctx: Ctx): Applier {
  const repo = new StaffImportRepository(ctx.hub.dbh.db);
  const managers: { staffId: string; manager: string | null; line: number }[] = [];
  // The job-title map in force (STAFF_ROLE_MAP_FILE or the default; docs/imports.md "Roles from job titles").
  const titleRules = ctx.hub.config.raw.STAFF_ROLE_MAP_FILE ? titleRulesFor(ctx.hub.config.raw) : null;
  return {
    async apply(batch) {
      const rows = batch.map((b) => b.row as StaffRow);
      const res = await repo.upsert(
        ctx.orgId,
        rows.map(({ lineManager: _m, titles, ...r }) =>
          titleRules ? { ...r, roles: rolesFromTitles(titles, titleRules) } : r,
        ),
      );
      for (const [i, r] of res.entries()) {
        const row = rows[i] as StaffRow;
        managers.push({ staffId: r.id, manager: row.lineManager, line: batch[i]?.line ?? 0 });
        if (r.rolesBefore.join() !== r.rolesAfter.join())
          await ctx.hub.audit.record({
            orgId: ctx.orgId,
            actorKind: 'import',
            action: 'staff.roles.imported',
            subjectType: 'staff',
            subjectId: r.id,
            channel: 'SYSTEM',
            details: { before: r.rolesBefore, after: r.rolesAfter },
          });
      }
      return { outcomes: res.map((r) => r.outcome), rejections: [], incidents: [] };
    },
    async finish() {
      const lookup = await repo.lookup(ctx.orgId);
      await repo.linkLineManagers(
        managers.map((m) => ({
          staffId: m.staffId,
          managerId: m.manager ? (lookup.get(m.manager) ?? null) : null,
        })),
      );
    },
  };
}

export async function applierFor(
  kind: ExportKind,
  hub: Hub,
  orgId: string,
  isSafeguarding: SafeguardingClassifier,
  expectedRows?: number,
  opts: ApplierOptions = {},
): Promise<Applier> {
  const ctx: Ctx = {
    hub,
    orgId,
    expectedRows,
    students: await new StudentImportRepository(hub.dbh.db).index(orgId),
    staff: await new StaffImportRepository(hub.dbh.db).lookup(orgId),
    isSafeguarding,
  };
  switch (kind) {
    case 'cpoms':
      return incidentApplier(ctx, 'cpoms');
    case 'arbor-behaviour':
      return incidentApplier(ctx, 'arbor');
    case 'arbor-students':
      return studentsApplier({ ...ctx, ...opts });
    case 'arbor-attendance':
      return attendanceApplier(ctx);
    case 'arbor-staff':
      return staffApplier(ctx);
  }
}
