/**
 * Imported CPOMS-style incidents in safeguarding categories become concerns: at once through the
 * 'incident.imported' event, and by a sweep planner as the durable backstop (an event lost in a crash
 * is picked up on the next tick). Concern (orgId, source, externalId) is unique, so both paths together
 * raise exactly one concern per incident. The incident text is NOT copied (docs/imports.md: keep a
 * pointer back to CPOMS, never the text in chat).
 */
import type { ConcernService } from './concern-service.ts';

export function safeguardingCategory(categories: string[], wanted: string[]): string | null {
  for (const c of categories) {
    const parts = c.split('>').map((p) => p.trim().toLowerCase());
    if (wanted.some((w) => parts.some((p) => p.includes(w)))) return c;
  }
  return null;
}

export class IncidentConcerns {
  private readonly wanted: string[];
  constructor(private readonly service: ConcernService) {
    this.wanted = service.settings.SAFEGUARDING_CATEGORIES.split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  }

  private lookback(now: Date): Date {
    return new Date(now.getTime() - this.service.settings.SAFEGUARDING_IMPORT_LOOKBACK_DAYS * 86_400_000);
  }

  /** Raise a concern for one imported incident if it is in a safeguarding category (idempotent). */
  async fromIncident(
    incidentId: string,
    now: Date,
  ): Promise<'raised' | 'exists' | 'not_safeguarding' | 'too_old' | 'missing'> {
    const i = await this.service.concerns.incident(incidentId);
    if (!i) return 'missing';
    const category = safeguardingCategory(i.categories, this.wanted);
    if (!category) return 'not_safeguarding';
    if (i.occurredAt < this.lookback(now)) return 'too_old';
    const r = await this.service.raise({
      orgId: i.orgId,
      studentId: i.studentId,
      raisedById: null,
      source: 'incident',
      externalId: i.id,
      category,
      immediateRisk: false,
      text: `Imported from ${i.source} incident ${i.externalId}. The record is in ${i.source}: open it there.`,
      actionsTaken: '',
      occurredAt: i.occurredAt,
      via: 'SYSTEM',
    });
    return r.created ? 'raised' : 'exists';
  }

  /** The sweep: recent incidents with no concern yet. */
  async sweep(now: Date): Promise<Record<string, number>> {
    const rows = await this.service.concerns.incidentsWithoutConcern(this.lookback(now));
    let raised = 0;
    for (const r of rows) {
      if (!safeguardingCategory(r.categories, this.wanted)) continue;
      if ((await this.fromIncident(r.id, now)) === 'raised') raised++;
    }
    return { candidates: rows.length, raised };
  }
}
