/**
 * Safeguarding rows of an incident import whose pupil matched no student (ImportConcernRow with
 * notOnRollEnc, written in the batch's transaction: store/incident-import-repository.ts). The safeguarding
 * module raises one not-on-roll concern for each (source "incident", externalId the row's key
 * "unmatched:<source>:<id>"), at once from the import's event and by its sweep, the durable backstop.
 */
import type { Db } from './db.ts';
import {
  concernsOfIncidents,
  concernsOfUnmatchedKeys,
  type IncidentConcern,
} from './incident-concern-keys.ts';

export interface UnmatchedRowDto {
  id: string;
  orgId: string;
  /** "unmatched:<source>:<the export's incident id>": the concern's externalId. */
  key: string;
  category: string;
  /** The pupil as given (JSON), encrypted with the context ImportConcernRow.notOnRollEnc. */
  notOnRollEnc: string;
  occurredAt: Date;
}

const select = {
  id: true,
  incidentId: true,
  category: true,
  notOnRollEnc: true,
  occurredAt: true,
  run: { select: { orgId: true } },
} as const;

type Row = {
  id: string;
  incidentId: string;
  category: string;
  notOnRollEnc: string | null;
  occurredAt: Date | null;
  run: { orgId: string };
};

const toDto = (r: Row): UnmatchedRowDto => ({
  id: r.id,
  orgId: r.run.orgId,
  key: r.incidentId,
  category: r.category,
  notOnRollEnc: r.notOnRollEnc ?? '',
  occurredAt: r.occurredAt ?? new Date(0),
});

export class UnmatchedConcernRows {
  constructor(private readonly db: Db) {}

  /** The concern of an unmatched row's key: its own, or its stored incident's (the pupil matched earlier). */
  async concernOfKey(orgId: string, key: string): Promise<IncidentConcern | null> {
    return (await concernsOfUnmatchedKeys(this.db, [{ orgId, key }])).get(`${orgId} ${key}`) ?? null;
  }

  /** The concern of a stored incident: its own, or its unmatched row's (raised before the pupil matched). */
  async concernOfIncident(i: {
    id: string;
    orgId: string;
    source: string;
    externalId: string;
  }): Promise<IncidentConcern | null> {
    return (await concernsOfIncidents(this.db, [i])).get(i.id) ?? null;
  }

  async byId(id: string): Promise<UnmatchedRowDto | null> {
    const r = await this.db.importConcernRow.findUnique({ where: { id }, select });
    return r?.notOnRollEnc && r.occurredAt ? toDto(r) : null;
  }

  /**
   * Unmatched rows since `since` with no concern yet, one per (organisation, key): the same file imported
   * twice stores its rows twice, and raises one concern.
   */
  async withoutConcern(since: Date, limit = 500): Promise<UnmatchedRowDto[]> {
    const rows = await this.db.importConcernRow.findMany({
      where: { occurredAt: { gte: since }, notOnRollEnc: { not: null } },
      orderBy: { occurredAt: 'asc' },
      take: limit * 4,
      select,
    });
    if (rows.length === 0) return [];
    // A concern under the row's key, or under the incident stored for it when another import matched the
    // pupil on the roll: one incident, one concern.
    const have = await concernsOfUnmatchedKeys(
      this.db,
      rows.map((r) => ({ orgId: r.run.orgId, key: r.incidentId })),
    );
    const done = new Set(have.keys());
    const out: UnmatchedRowDto[] = [];
    for (const r of rows) {
      const k = `${r.run.orgId} ${r.incidentId}`;
      if (done.has(k)) continue;
      done.add(k);
      out.push(toDto(r));
      if (out.length >= limit) break;
    }
    return out;
  }
}
