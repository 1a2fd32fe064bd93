/** Early-intervention alerts: the facts the rules read, and the fired alerts (unique per rule and window). */
import type { AlertFiring, StudentFacts } from '../core/escalations/alert-rules.ts';
import type { Db, Tx } from './db.ts';

export interface AlertStudent {
  id: string;
  orgId: string;
  givenName: string;
  familyName: string;
  yearGroup: string | null;
  keyWorkerId: string | null;
}

export class AlertRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn, { timeout: 30_000, maxWait: 30_000 });
  }

  /** Students with an incident or an attendance period since `since`, with those facts. */
  async factsSince(
    sinceDate: string,
    since: Date,
  ): Promise<{ student: AlertStudent; facts: StudentFacts }[]> {
    const incidents = await this.db.incident.findMany({
      where: { occurredAt: { gte: since } },
      select: { id: true, studentId: true, occurredAt: true, categories: true },
    });
    const attendance = await this.db.attendanceRecord.findMany({
      where: { periodEnd: { gte: sinceDate } },
      select: {
        studentId: true,
        periodStart: true,
        periodEnd: true,
        sessionsPossible: true,
        sessionsAttended: true,
      },
    });
    const ids = [...new Set([...incidents.map((i) => i.studentId), ...attendance.map((a) => a.studentId)])];
    if (ids.length === 0) return [];
    const students = await this.db.student.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        orgId: true,
        givenName: true,
        familyName: true,
        yearGroup: true,
        keyWorkerId: true,
        senStatus: true,
        childInCare: true,
      },
    });
    return students.map((s) => ({
      student: s,
      facts: {
        studentId: s.id,
        onSenRegister: s.senStatus !== 'NONE',
        inCare: s.childInCare,
        incidents: incidents
          .filter((i) => i.studentId === s.id)
          .map((i) => ({
            id: i.id,
            date: i.occurredAt.toISOString().slice(0, 10),
            categories: i.categories.split('|').map((c) => c.trim()),
          })),
        attendance: attendance
          .filter((a) => a.studentId === s.id)
          .map((a) => ({
            periodStart: a.periodStart,
            periodEnd: a.periodEnd,
            possible: a.sessionsPossible,
            attended: a.sessionsAttended,
          })),
      },
    }));
  }

  /** Record a firing; null (nothing written) when this rule already fired for this window. */
  async fireIn(tx: Tx, orgId: string, f: AlertFiring, at: Date): Promise<string | null> {
    const existing = await tx.alert.findUnique({
      where: {
        studentId_ruleId_windowKey: { studentId: f.studentId, ruleId: f.ruleId, windowKey: f.windowKey },
      },
      select: { id: true },
    });
    if (existing) return null;
    const row = await tx.alert.create({
      data: {
        orgId,
        studentId: f.studentId,
        ruleId: f.ruleId,
        windowKey: f.windowKey,
        detail: f.detail,
        firedAt: at,
      },
      select: { id: true },
    });
    return row.id;
  }

  async count(): Promise<number> {
    return this.db.alert.count();
  }
}
