/**
 * Imported CPOMS-style incidents in safeguarding categories become concerns: at once through the
 * 'incident.imported' event, and by a sweep planner as the durable backstop (an event lost in a crash
 * is picked up on the next tick). Concern (orgId, source, externalId) is unique, so both paths together
 * raise exactly one concern per incident. The incident text is NOT copied (docs/imports.md: keep a
 * pointer back to CPOMS, never the text in chat).
 */
import { classifyIncident } from '../../core/escalations/safeguarding-categories.ts';
import { loadSafeguardingCategories, type SafeguardingCategories } from '../config/safeguarding.ts';
import type { ConcernService } from './concern-service.ts';

export class IncidentConcerns {
  /** The explicit category lists per organisation (never substrings; docs/imports.md). */
  readonly categories: SafeguardingCategories;
  constructor(
    private readonly service: ConcernService,
    private readonly orgOf: (orgId: string) => Promise<{ id: string; name: string } | null> = async (id) => ({
      id,
      name: '',
    }),
  ) {
    this.categories = loadSafeguardingCategories(service.settings);
  }

  /** Organisations by id for a minute: the sweep classifies hundreds of incidents a tick. */
  private readonly orgCache = new Map<string, { org: { id: string; name: string }; until: number }>();

  /** The safeguarding category and immediate-risk flag of an incident of this organisation, or null. */
  async classify(orgId: string, categories: string[]) {
    const now = Date.now();
    let hit = this.orgCache.get(orgId);
    if (!hit || hit.until < now) {
      hit = { org: (await this.orgOf(orgId)) ?? { id: orgId, name: '' }, until: now + 60_000 };
      this.orgCache.set(orgId, hit);
    }
    return classifyIncident(this.categories.policyFor(hit.org), categories);
  }

  /** Older than SAFEGUARDING_IMPORT_LOOKBACK_DAYS: no concern is raised for it (fromIncident's 'too_old'). */
  isTooOld(occurredAt: Date, now: Date): boolean {
    return occurredAt < this.lookback(now);
  }

  private lookback(now: Date): Date {
    return new Date(now.getTime() - this.service.settings.SAFEGUARDING_IMPORT_LOOKBACK_DAYS * 86_400_000);
  }

  /** Raise a concern for one imported incident if it is in a safeguarding category (idempotent). */
  async fromIncident(
    incidentId: string,
    now: Date,
  ): Promise<'raised' | 'exists' | 'not_safeguarding' | 'too_old' | 'missing'> {
    const i = await this.service.subjects.incident(incidentId);
    if (!i) return 'missing';
    const hit = await this.classify(i.orgId, i.categories);
    if (!hit) return 'not_safeguarding';
    if (i.occurredAt < this.lookback(now)) return 'too_old';
    const r = await this.service.raise({
      orgId: i.orgId,
      studentId: i.studentId,
      raisedById: null,
      source: 'incident',
      externalId: i.id,
      category: hit.category,
      immediateRisk: hit.immediateRisk,
      text: `Imported from ${i.source} incident ${i.externalId}. The record is in ${i.source}: open it there.`,
      actionsTaken: '',
      occurredAt: i.occurredAt,
      via: 'SYSTEM',
    });
    return r.created ? 'raised' : 'exists';
  }

  /** The sweep: recent incidents with no concern yet. */
  async sweep(now: Date): Promise<Record<string, number>> {
    const rows = await this.service.subjects.incidentsWithoutConcern(this.lookback(now));
    let raised = 0;
    for (const r of rows) {
      if (!(await this.classify(r.orgId, r.categories))) continue;
      if ((await this.fromIncident(r.id, now)) === 'raised') raised++;
    }
    return { candidates: rows.length, raised };
  }
}
