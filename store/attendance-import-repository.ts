/** Attendance summaries keyed by (student, period start, period end). */
import type { Db } from './db.ts';
import type { Outcome } from './student-import-repository.ts';

export interface AttendanceUpsert {
  studentId: string;
  periodStart: string;
  periodEnd: string;
  sessionsPossible: number;
  sessionsAttended: number;
  sourceHash: string;
}

export class AttendanceImportRepository {
  constructor(private readonly db: Db) {}

  async upsert(orgId: string, rows: AttendanceUpsert[]): Promise<{ outcome: Outcome; id: string }[]> {
    return this.db.$transaction(async (tx) => {
      const out: { outcome: Outcome; id: string }[] = [];
      for (const r of rows) {
        const hit = await tx.attendanceRecord.findUnique({
          where: {
            studentId_periodStart_periodEnd: {
              studentId: r.studentId,
              periodStart: r.periodStart,
              periodEnd: r.periodEnd,
            },
          },
          select: { id: true, sourceHash: true },
        });
        if (hit && hit.sourceHash === r.sourceHash) out.push({ outcome: 'unchanged', id: hit.id });
        else if (hit) {
          await tx.attendanceRecord.update({ where: { id: hit.id }, data: r });
          out.push({ outcome: 'updated', id: hit.id });
        } else {
          const c = await tx.attendanceRecord.create({ data: { ...r, orgId }, select: { id: true } });
          out.push({ outcome: 'created', id: c.id });
        }
      }
      return out;
    });
  }
}
