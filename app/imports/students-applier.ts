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
 * is written; the rows are then written 1,000 to a transaction. In a bigger file a conflict whose first row
 * was in an earlier batch refuses the later row and says the earlier one was imported.
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

export const upnConflictReason = (otherLine: number, otherWritten: boolean) =>
  otherWritten
    ? `the same UPN as line ${otherLine}, a row for another student (a different MIS id, or none): a UPN identifies one child, so this row is not imported; line ${otherLine} was imported before this row was read: check both in the MIS`
    : `the same UPN as line ${otherLine}, a row for another student (a different MIS id, or none): a UPN identifies one child, so neither row is imported and the student's record is left as it was: correct the UPN in the MIS, then import again`;

export function studentsApplier(ctx: {
  hub: Hub;
  orgId: string;
  staff: Map<string, string>;
  expectedRows?: number;
}): Applier {
  const repo = new StudentImportRepository(ctx.hub.dbh.db);
  const seen = new SeenKeys(ctx.expectedRows);
  // The first line of each UPN in the file (bounded memory: seen-keys.ts).
  const upnLines = new SeenKeys(ctx.expectedRows);
  return {
    batchSize: STUDENT_BATCH,
    async apply(batch) {
      const rejections: Rejection[] = [];
      // This batch's rows still to write, by line (a later row of the same UPN can withdraw one).
      const pending = new Map<number, StudentUpsert>();
      const batchFirst = batch[0]?.line ?? 0;
      for (const { line, row } of batch) {
        const r = row as StudentRow;
        const key = r.externalId ?? r.upn ?? '';
        const dup = seen.firstLine(key, line);
        if (dup !== undefined) {
          rejections.push({ line, field: 'externalId', reason: `duplicate of the student on line ${dup}` });
          continue;
        }
        const upnFirst = r.upn ? upnLines.firstLine(r.upn, line) : undefined;
        if (upnFirst !== undefined) {
          const earlier = upnFirst < batchFirst;
          rejections.push({ line, field: 'upn', reason: upnConflictReason(upnFirst, earlier) });
          if (pending.delete(upnFirst))
            rejections.push({ line: upnFirst, field: 'upn', reason: upnConflictReason(line, false) });
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
        const res = await repo.upsert(ctx.orgId, rows.slice(i, i + WRITE_CHUNK));
        res.forEach((r, j) => {
          if ('outcome' in r) outcomes.push(r.outcome);
          else rejections.push({ line: lines[i + j] as number, field: 'upn', reason: r.refused });
        });
      }
      rejections.sort((a, b) => a.line - b.line);
      return { outcomes, rejections, incidents: [] };
    },
  };
}
