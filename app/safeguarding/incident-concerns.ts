/**
 * Imported CPOMS-style incidents in safeguarding categories become concerns: at once through the
 * 'incident.imported' event, and by a sweep planner as the durable backstop (an event lost in a crash
 * is picked up on the next tick). Concern (orgId, source, externalId) is unique, so both paths together
 * raise exactly one concern per incident. The incident text is NOT copied (docs/imports.md: keep a
 * pointer back to CPOMS, never the text in chat).
 *
 * A row whose pupil matched no student on the roll is no Incident (it needs a student): the import keeps it
 * as an unmatched report row (store/unmatched-concern-rows.ts) in the batch's transaction, and it becomes a
 * concern about a pupil not on the roll (issue 13's form: the name as given, encrypted; initials in chat),
 * the same two ways, keyed "unmatched:<source>:<id>" so a re-import raises nothing new. The DSL links the
 * record later (`concern link`).
 *
 * One incident, one concern, in whatever order (store/incident-concern-keys.ts): a stored incident whose
 * row raised a not-on-roll concern before (the pupil put on the roll since) raises nothing new; that
 * concern is linked to the matched pupil unless someone linked it already. A row that no longer matches
 * (its incident stored, with a concern, by an earlier import) raises nothing either. An edited row updates
 * the actions on its not-on-roll concern, as a stored incident's concern reads its incident's.
 */
import { classifyIncident } from '../../core/escalations/safeguarding-categories.ts';
import type { FieldCipher } from '../../store/crypto/field-cipher.ts';
import type { UnmatchedConcernRows } from '../../store/unmatched-concern-rows.ts';
import { loadSafeguardingCategories, type SafeguardingCategories } from '../config/safeguarding.ts';
import type { ConcernService } from './concern-service.ts';

/** The pupil of an unmatched row as the export gave them (ImportConcernRow.notOnRollEnc, JSON). */
export interface PupilAsGiven {
  name: string | null;
  upn: string | null;
  misId: string | null;
  yearGroup: string | null;
  /** The export's Actions column (CPOMS), the concern's "Actions already taken". */
  actions?: string | null;
}
export const UNMATCHED_CONTEXT = 'ImportConcernRow.notOnRollEnc';

/** The name the not-on-roll concern records: the name as given, else the identifier the export had. */
export function nameAsGiven(p: PupilAsGiven): string {
  return p.name?.trim() || (p.upn ? `UPN ${p.upn}` : p.misId ? `MIS id ${p.misId}` : 'name not given');
}

export class IncidentConcerns {
  /** The explicit category lists per organisation (never substrings; docs/imports.md). */
  readonly categories: SafeguardingCategories;
  constructor(
    private readonly service: ConcernService,
    private readonly orgOf: (orgId: string) => Promise<{ id: string; name: string } | null> = async (id) => ({
      id,
      name: '',
    }),
    private readonly unmatched?: { rows: UnmatchedConcernRows; cipher: FieldCipher },
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
    const prior = this.unmatched && (await this.unmatched.rows.concernOfIncident(i));
    if (prior?.otherWay) await this.service.linkMatchedByImport(prior.concernId, i.studentId);
    if (prior) return 'exists';
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

  /**
   * Raise the not-on-roll concern for one unmatched safeguarding row of an import (idempotent on its key:
   * the same incident in two imports raises one concern).
   */
  async fromUnmatched(rowId: string, now: Date): Promise<'raised' | 'exists' | 'too_old' | 'missing'> {
    const r = this.unmatched && (await this.unmatched.rows.byId(rowId));
    if (!r || !this.unmatched) return 'missing';
    if (r.occurredAt < this.lookback(now)) return 'too_old';
    const pupil = this.unmatched.cipher.decryptJson<PupilAsGiven>(r.notOnRollEnc, UNMATCHED_CONTEXT);
    const prior = await this.unmatched.rows.concernOfKey(r.orgId, r.key);
    // Matched by an earlier import: that incident's concern is this one (its record reads the incident).
    if (prior?.otherWay) return 'exists';
    if (prior) {
      await this.service.importChanged(prior.concernId, {
        actions: pupil.actions ?? null,
        yearGroup: pupil.yearGroup,
      });
      return 'exists';
    }
    const [, source = 'import', ref = '?'] = r.key.match(/^unmatched:([^:]+):(.*)$/) ?? [];
    const hit = await this.classify(r.orgId, [r.category]);
    const given = [
      pupil.upn ? `UPN ${pupil.upn}` : null,
      pupil.misId ? `MIS id ${pupil.misId}` : null,
      pupil.yearGroup ? `year group ${pupil.yearGroup}` : 'no year group',
    ].filter(Boolean);
    const res = await this.service.raise({
      orgId: r.orgId,
      studentId: null,
      notOnRollName: nameAsGiven(pupil),
      notOnRollYear: pupil.yearGroup,
      raisedById: null,
      source: 'incident',
      externalId: r.key,
      category: r.category,
      immediateRisk: hit?.immediateRisk ?? false,
      text: `Imported from ${source} incident ${ref}. The pupil matched no student on the roll (as given: ${given.join(', ')}): link the record. The record is in ${source}: open it there.`,
      actionsTaken: pupil.actions ?? '',
      occurredAt: r.occurredAt,
      via: 'SYSTEM',
    });
    return res.created ? 'raised' : 'exists';
  }

  /**
   * The sweep: recent incidents, and unmatched rows, with no concern yet; and an incident whose concern was
   * raised while its pupil was not on the roll, still linked to nobody (its 'incident.imported' event lost):
   * linked to the incident's pupil as the event would have (audited, the DSL told: linkMatchedByImport).
   */
  async sweep(now: Date): Promise<Record<string, number>> {
    const { without: rows, toLink } = await this.service.subjects.incidentsToSweep(this.lookback(now));
    let linked = 0;
    for (const l of toLink) if (await this.service.linkMatchedByImport(l.concernId, l.studentId)) linked++;
    let raised = 0;
    for (const r of rows) {
      if (!(await this.classify(r.orgId, r.categories))) continue;
      if ((await this.fromIncident(r.id, now)) === 'raised') raised++;
    }
    const unmatched = this.unmatched ? await this.unmatched.rows.withoutConcern(this.lookback(now)) : [];
    let notOnRoll = 0;
    for (const u of unmatched) if ((await this.fromUnmatched(u.id, now)) === 'raised') notOnRoll++;
    return { candidates: rows.length, raised, linked, unmatched: unmatched.length, notOnRoll };
  }
}
