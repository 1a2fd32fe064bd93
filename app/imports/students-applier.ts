/**
 * How a students export (arbor-students) is written: one row per child, matched by MIS id, else UPN.
 *
 * A UPN identifies one child (DfE, Unique pupil numbers (UPNs): a guide for schools and local authorities,
 * 2019, section 1: "a unique pupil number (UPN) identifies each pupil"; docs/imports.md). Two rows
 * of one file with the same UPN and not the same MIS id are two children claiming one number: the hub
 * cannot tell which is right, so NEITHER row is imported and the student's record is left as it was; the
 * report names both lines on the field `upn` (never the value). A row whose UPN is already another
 * student's on the roll is refused too (store/student-import-repository.ts), never written over that child.
 *
 * A school's roll fits one batch (STUDENT_BATCH rows), so both rows of a conflict are seen before anything
 * is written. A bigger file is read once more before its first batch (`prescan`: the MIS ids and UPNs, in
 * bounded memory, seen-keys.ts), so a conflict across batches refuses both rows as well.
 *
 * `rekey` (send-hub import students <file> --rekey): a school that moved to another MIS; a row whose UPN
 * is a student's under an old MIS id moves that student to the new one (audited per student, counted in
 * the report's message, never a name).
 */
import type { StudentRow } from '../../integrations/arbor/students-connector.ts';
import type { Rejection } from '../../integrations/exports/parse-export.ts';
import { SeenKeys } from '../../integrations/exports/seen-keys.ts';
import { StudentImportRepository, type StudentUpsert } from '../../store/student-import-repository.ts';
import type { Hub } from '../container.ts';
import { type Applier, hashOf } from './appliers.ts';

/** Rows read before any is written: more than the roll of the largest school in England. */
export const STUDENT_BATCH = 10_000;
const WRITE_CHUNK = 1000;

export const upnConflictReason = (otherLine: number) =>
  `the same UPN as line ${otherLine}, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again`;

export function studentsApplier(ctx: {
  hub: Hub;
  orgId: string;
  staff: Map<string, string>;
  expectedRows?: number;
  rekey?: boolean;
  runId?: string;
  via?: string;
}): Applier {
  const repo = new StudentImportRepository(ctx.hub.dbh.db);
  // The first line of each row key (MIS id, else UPN) and of each UPN in the file (bounded memory). Filled
  // by the prescan when there is one, else as the batches are read: either way a line that finds itself
  // is the first of its key.
  const seen = new SeenKeys(ctx.expectedRows);
  const upnLines = new SeenKeys(ctx.expectedRows);
  // The prescan's conflicts: the first line of a UPN -> the line of the first other row claiming it.
  const conflicts = new Map<number, number>();
  let rekeyed = 0;
  /** The row's first line (key, then UPN), as the batches see them; the prescan's own pass. */
  const firstLines = (line: number, r: StudentRow) => {
    const dup = seen.firstLine(r.externalId ?? r.upn ?? '', line);
    if (dup !== undefined && dup !== line) return { dup };
    const upnFirst = r.upn ? upnLines.firstLine(r.upn, line) : undefined;
    return { upnFirst: upnFirst === line ? undefined : upnFirst };
  };
  return {
    batchSize: STUDENT_BATCH,
    prescan(line, row) {
      const { upnFirst } = firstLines(line, row as StudentRow);
      if (upnFirst !== undefined && !conflicts.has(upnFirst)) conflicts.set(upnFirst, line);
    },
    async apply(batch) {
      const rejections: Rejection[] = [];
      // This batch's rows still to write, by line (a later row of the same UPN can withdraw one).
      const pending = new Map<number, StudentUpsert>();
      for (const { line, row } of batch) {
        const r = row as StudentRow;
        const { dup, upnFirst } = firstLines(line, r);
        if (dup !== undefined) {
          rejections.push({ line, field: 'externalId', reason: `duplicate of the student on line ${dup}` });
          continue;
        }
        const partner = conflicts.get(line);
        if (partner !== undefined) {
          // A later row of the file (maybe in a later batch) claims this row's UPN.
          rejections.push({ line, field: 'upn', reason: upnConflictReason(partner) });
          continue;
        }
        if (upnFirst !== undefined) {
          rejections.push({ line, field: 'upn', reason: upnConflictReason(upnFirst) });
          if (pending.delete(upnFirst))
            rejections.push({ line: upnFirst, field: 'upn', reason: upnConflictReason(line) });
          continue;
        }
        let keyWorkerId: string | null = null;
        if (r.keyWorker) {
          keyWorkerId = ctx.staff.get(r.keyWorker.toLowerCase()) ?? ctx.staff.get(r.keyWorker) ?? null;
          if (!keyWorkerId) {
            rejections.push({
              line,
              field: 'keyWorker',
              reason: 'no member of staff with this email or id (import staff first)',
            });
            continue;
          }
        }
        const { keyWorker: _k, ...rest } = r;
        pending.set(line, { ...rest, keyWorkerId, sourceHash: hashOf({ ...rest, keyWorkerId }) });
      }
      const lines = [...pending.keys()];
      const rows = [...pending.values()];
      const outcomes: ('created' | 'updated' | 'unchanged')[] = [];
      for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
        const res = await repo.upsert(ctx.orgId, rows.slice(i, i + WRITE_CHUNK), { rekey: ctx.rekey });
        const moved: string[] = [];
        res.forEach((r, j) => {
          if ('outcome' in r) {
            outcomes.push(r.outcome);
            if (r.rekeyed) moved.push(r.id);
          } else rejections.push({ line: lines[i + j] as number, field: 'upn', reason: r.refused });
        });
        // Each student moved to a new MIS id, audited (the student's id only: no name, UPN or MIS id).
        for (const id of moved)
          await ctx.hub.audit.record({
            orgId: ctx.orgId,
            actorKind: ctx.via === 'cli' ? 'admin-cli' : 'import',
            action: 'student.rekeyed',
            subjectType: 'student',
            subjectId: id,
            studentId: id,
            channel: ctx.via === 'cli' ? 'CLI' : 'SYSTEM',
            details: { runId: ctx.runId ?? null, kind: 'arbor-students' },
          });
        rekeyed += moved.length;
      }
      rejections.sort((a, b) => a.line - b.line);
      return { outcomes, rejections, incidents: [] };
    },
    notes() {
      if (!ctx.rekey) return [];
      return [
        `--rekey: ${rekeyed} student${rekeyed === 1 ? '' : 's'} moved to a new MIS id (matched by UPN; audited as student.rekeyed)`,
      ];
    },
  };
}
