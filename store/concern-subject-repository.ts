/**
 * Who and what a concern is about: the pupils a DSL or a form can name (by id, UPN, external id or name,
 * and the whole roll for "did you mean"), and the imported incidents that raise concerns (split from
 * concern-repository.ts, which keeps the concern's state machine and escalation cursor). Read-only.
 */
import type { Db } from './db.ts';
import { concernsOfIncidents } from './incident-concern-keys.ts';

export interface StudentRef {
  id: string;
  orgId: string;
  givenName: string;
  familyName: string;
  yearGroup: string | null;
  upn: string | null;
  senStatus: string;
  keyWorkerId: string | null;
}

const studentSelect = {
  id: true,
  orgId: true,
  givenName: true,
  familyName: true,
  yearGroup: true,
  upn: true,
  senStatus: true,
  keyWorkerId: true,
} as const;

export interface SafeguardingIncident {
  id: string;
  orgId: string;
  studentId: string;
  source: string;
  externalId: string;
  occurredAt: Date;
  categories: string[];
}

export class ConcernSubjectRepository {
  constructor(private readonly db: Db) {}

  /** The concern's pupil; null for a pupil not on the roll (studentId null). */
  async student(id: string | null): Promise<StudentRef | null> {
    if (!id) return null;
    return this.db.student.findUnique({ where: { id }, select: studentSelect });
  }

  /** Every pupil of the organisation (the closest names offered when a typed name matches nobody). */
  async roster(orgId: string): Promise<StudentRef[]> {
    return this.db.student.findMany({ where: { orgId }, select: studentSelect });
  }

  /** A pupil by id, UPN, external id or full name ("Given Family") within the organisation. */
  async findStudents(orgId: string, query: string): Promise<StudentRef[]> {
    const q = query.trim();
    const exact = await this.db.student.findMany({
      where: { orgId, OR: [{ id: q }, { upn: q.toUpperCase() }, { externalId: q }] },
      select: studentSelect,
      take: 5,
    });
    if (exact.length > 0) return exact;
    const parts = q.split(/\s+/);
    if (parts.length < 2) {
      return this.db.student.findMany({
        where: { orgId, OR: [{ givenName: q }, { familyName: q }] },
        select: studentSelect,
        take: 5,
      });
    }
    const given = parts.slice(0, -1).join(' ');
    const family = parts[parts.length - 1] ?? '';
    const all = await this.db.student.findMany({
      where: { orgId, familyName: family },
      select: studentSelect,
      take: 50,
    });
    return all.filter((s) => s.givenName.toLowerCase() === given.toLowerCase()).slice(0, 5);
  }

  /**
   * The sweep's reading of recent incidents (the durable backstop for the 'incident.imported' event): those
   * with no concern yet (`without`), and those whose concern
   * was raised the other way, while the pupil was not matched on the roll, and is still linked to nobody
   * (`toLink`: the incident's pupil is the one to link, as the lost 'incident.imported' event would have).
   */
  async incidentsToSweep(
    since: Date,
    limit = 500,
  ): Promise<{
    without: SafeguardingIncident[];
    toLink: { incidentId: string; concernId: string; studentId: string }[];
  }> {
    const rows = await this.db.incident.findMany({
      where: { occurredAt: { gte: since } },
      orderBy: { occurredAt: 'asc' },
      take: limit * 4,
      select: {
        id: true,
        orgId: true,
        studentId: true,
        source: true,
        externalId: true,
        occurredAt: true,
        categories: true,
      },
    });
    if (rows.length === 0) return { without: [], toLink: [] };
    // A concern under the incident's id, or under its unmatched row's key (raised before the pupil was
    // matched on the roll): one incident, one concern.
    const done = await concernsOfIncidents(this.db, rows);
    const toLink = rows.flatMap((r) => {
      const c = done.get(r.id);
      return c?.otherWay && c.studentId === null
        ? [{ incidentId: r.id, concernId: c.concernId, studentId: r.studentId }]
        : [];
    });
    const without = rows
      .filter((r) => !done.has(r.id))
      .slice(0, limit)
      .map((r) => ({
        ...r,
        categories: r.categories
          .split('|')
          .map((c) => c.trim())
          .filter(Boolean),
      }));
    return { without, toLink: toLink.slice(0, limit) };
  }

  async incident(id: string): Promise<SafeguardingIncident | null> {
    const r = await this.db.incident.findUnique({
      where: { id },
      select: {
        id: true,
        orgId: true,
        studentId: true,
        source: true,
        externalId: true,
        occurredAt: true,
        categories: true,
      },
    });
    return r
      ? {
          ...r,
          categories: r.categories
            .split('|')
            .map((c) => c.trim())
            .filter(Boolean),
        }
      : null;
  }
}
