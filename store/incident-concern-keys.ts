/**
 * One imported incident, one concern, whether its pupil was matched on the roll or not (docs/imports.md).
 * A concern raised from a stored Incident is keyed by the Incident's id (Concern source "incident",
 * externalId = Incident.id); one raised while the pupil matched no student, by the row's key
 * "unmatched:<source>:<the export's incident id>" (no Incident could be stored). The same export incident
 * may arrive both ways, in either order: the pupil put on the roll later, or no longer matched. These reads
 * find a concern under either key, so neither path raises a second one.
 */
import type { Db } from './db.ts';

/** The key of an unmatched row and of the concern raised from it. */
export const unmatchedKey = (source: string, externalId: string): string =>
  `unmatched:${source}:${externalId}`;

/** "unmatched:cpoms:INC-9" → { source: "cpoms", externalId: "INC-9" }; null for any other key. */
export function parseUnmatchedKey(key: string): { source: string; externalId: string } | null {
  const m = /^unmatched:([^:]+):(.+)$/.exec(key);
  return m ? { source: m[1] as string, externalId: m[2] as string } : null;
}

export interface IncidentConcern {
  concernId: string;
  /** The pupil the concern is about (linked by the DSL, or raised matched); null while not on the roll. */
  studentId: string | null;
  /** Raised under the other key: while the pupil was not matched (an incident's), or matched (a row's). */
  otherWay: boolean;
}

interface StoredIncident {
  id: string;
  orgId: string;
  source: string;
  externalId: string;
}

/** The concern of each stored incident (by Incident id), under its own key or its unmatched row's. */
export async function concernsOfIncidents(
  db: Db,
  incidents: readonly StoredIncident[],
): Promise<Map<string, IncidentConcern>> {
  const out = new Map<string, IncidentConcern>();
  if (incidents.length === 0) return out;
  const byKey = new Map<string, StoredIncident>();
  for (const i of incidents) {
    byKey.set(`${i.orgId} ${i.id}`, i);
    byKey.set(`${i.orgId} ${unmatchedKey(i.source, i.externalId)}`, i);
  }
  const found = await db.concern.findMany({
    where: {
      orgId: { in: [...new Set(incidents.map((i) => i.orgId))] },
      source: 'incident',
      externalId: {
        in: incidents.flatMap((i) => [i.id, unmatchedKey(i.source, i.externalId)]),
      },
    },
    select: { id: true, orgId: true, externalId: true, studentId: true },
  });
  for (const c of found) {
    const i = byKey.get(`${c.orgId} ${c.externalId}`);
    if (!i) continue;
    const own = c.externalId === i.id;
    // Its own key wins (a concern raised both ways before this change: the matched one is the record).
    if (out.has(i.id) && !own) continue;
    out.set(i.id, { concernId: c.id, studentId: c.studentId, otherWay: !own });
  }
  return out;
}

/**
 * The concern of each unmatched row's key ("<orgId> <key>" → concern): raised from the key itself, or
 * from the Incident stored for the same export incident when the pupil was matched by another import.
 */
export async function concernsOfUnmatchedKeys(
  db: Db,
  rows: readonly { orgId: string; key: string }[],
): Promise<Map<string, IncidentConcern & { incidentStudentId: string | null }>> {
  const out = new Map<string, IncidentConcern & { incidentStudentId: string | null }>();
  if (rows.length === 0) return out;
  const orgs = [...new Set(rows.map((r) => r.orgId))];
  const keys = [...new Set(rows.map((r) => r.key))];
  const parsed = keys.map(parseUnmatchedKey).filter((k) => k !== null);
  const incidents = parsed.length
    ? await db.incident.findMany({
        where: { orgId: { in: orgs }, externalId: { in: [...new Set(parsed.map((p) => p.externalId))] } },
        select: { id: true, orgId: true, source: true, externalId: true, studentId: true },
      })
    : [];
  const wanted = new Set(rows.map((r) => `${r.orgId} ${r.key}`));
  const stored = incidents.filter((i) => wanted.has(`${i.orgId} ${unmatchedKey(i.source, i.externalId)}`));
  const found = await db.concern.findMany({
    where: {
      orgId: { in: orgs },
      source: 'incident',
      externalId: { in: [...keys, ...stored.map((i) => i.id)] },
    },
    select: { id: true, orgId: true, externalId: true, studentId: true },
  });
  const byIncident = new Map(stored.map((i) => [`${i.orgId} ${i.id}`, i]));
  for (const c of found) {
    const i = byIncident.get(`${c.orgId} ${c.externalId}`);
    if (i) {
      const k = `${i.orgId} ${unmatchedKey(i.source, i.externalId)}`;
      if (!out.has(k))
        out.set(k, {
          concernId: c.id,
          studentId: c.studentId,
          otherWay: true,
          incidentStudentId: i.studentId,
        });
      continue;
    }
    const k = `${c.orgId} ${c.externalId}`;
    if (wanted.has(k)) {
      const inc = stored.find((s) => `${s.orgId} ${unmatchedKey(s.source, s.externalId)}` === k);
      out.set(k, {
        concernId: c.id,
        studentId: c.studentId,
        otherWay: false,
        incidentStudentId: inc?.studentId ?? null,
      });
    }
  }
  return out;
}
