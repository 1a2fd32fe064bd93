/**
 * The rule packs in force, and which pack a case is evaluated against. A case records its pack id when
 * opened (Case.rulePack); it keeps that pack even after a newer one takes effect (reform of annual reviews
 * is proposed from 2029: old and new plans will coexist).
 */
import type { IsoDate } from '../calendar/iso-date.ts';
import { ValidationError } from '../errors.ts';
import { emptyLocalRules, type LocalRulesFile, localRuleToRule } from './local-rules.ts';
import { childrenInCare2018 } from './packs/children-in-care-2018.ts';
import { englandSend2014 } from './packs/england-send-2014.ts';
import { exclusions2023 } from './packs/exclusions-2023.ts';
import { healthNeeds2023 } from './packs/health-needs-2023.ts';
import { kcsie2025 } from './packs/kcsie-2025.ts';
import { localDefaults2026 } from './packs/local-defaults.ts';
import { workingTogether2023 } from './packs/working-together-2023.ts';
import type { CaseKind, Rule, RulePack } from './types.ts';

export const shippedPacks: RulePack[] = [
  englandSend2014,
  workingTogether2023,
  exclusions2023,
  childrenInCare2018,
  kcsie2025,
  healthNeeds2023,
  localDefaults2026,
];

export class RuleBook {
  private readonly packs = new Map<string, RulePack>();
  private readonly local: Rule[];
  private readonly supplements: Rule[];
  private readonly cache = new Map<string, Rule[]>();

  constructor(
    packs: RulePack[] = shippedPacks,
    private readonly localFile: LocalRulesFile = emptyLocalRules,
  ) {
    for (const p of packs) this.packs.set(p.id, p);
    this.local = localFile.rules.map(localRuleToRule);
    // Local-practice defaults supplement every pack (CIN reviews sit beside Working Together's rules).
    this.supplements = packs.filter((p) => p.id.startsWith('england-local-defaults')).flatMap((p) => p.rules);
  }

  allPacks(): RulePack[] {
    return [...this.packs.values()];
  }

  pack(id: string): RulePack | undefined {
    return this.packs.get(id);
  }

  /** The pack in force for a new case of `kind` starting on `startDate` (latest effective first). */
  packFor(kind: CaseKind, startDate: IsoDate): RulePack {
    const candidates = this.allPacks()
      .filter(
        (p) =>
          p.caseKinds.includes(kind) &&
          p.effectiveFrom <= startDate &&
          (p.effectiveTo === undefined || startDate < p.effectiveTo),
      )
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1));
    const found = candidates[0];
    if (!found) throw new ValidationError(`no rule pack covers ${kind} cases starting ${startDate}`);
    return found;
  }

  /**
   * The versioned pack a stored id names. An unversioned id ("england-send-2014", as an early demo stored
   * it) resolves to its family's version covering `kind` on `startDate` (the pack in force for the kind
   * when the family has none). Unknown ids resolve to undefined: the case says so (core/deadlines/health.ts).
   */
  resolvePackId(id: string, kind: CaseKind, startDate: IsoDate): string | undefined {
    if (this.packs.has(id)) return id;
    if (id.includes('@')) return undefined;
    const family = this.allPacks().filter((p) => p.id.startsWith(`${id}@`));
    if (family.length === 0) return undefined;
    const covering = family
      .filter(
        (p) =>
          p.caseKinds.includes(kind) &&
          p.effectiveFrom <= startDate &&
          (p.effectiveTo === undefined || startDate < p.effectiveTo),
      )
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1));
    if (covering[0]) return covering[0].id;
    try {
      return this.packFor(kind, startDate).id;
    } catch {
      return undefined;
    }
  }

  startEvent(kind: CaseKind, packId: string): string {
    return this.packs.get(packId)?.startEvents[kind] ?? 'started';
  }

  /** The rules a case of `kind` under `packId` is evaluated against, with local rules and overrides. */
  rulesFor(kind: CaseKind, packId: string): Rule[] {
    const key = `${kind}|${packId}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const pack = this.packs.get(packId);
    const base = [...(pack?.rules ?? []), ...this.supplements.filter((r) => !pack?.rules.includes(r))];
    const rules = [...base, ...this.local]
      .filter((r) => r.caseKinds.includes(kind))
      .map((r) => {
        const o = this.localFile.overrides[r.id];
        if (!o) return r;
        return {
          ...r,
          ...(o.offset ? { offset: o.offset } : {}),
          ...(o.leadTimes ? { leadTimes: o.leadTimes } : {}),
          ...(o.anchorPick ? { anchor: { ...r.anchor, pick: o.anchorPick } } : {}),
          source: `${r.source} (local override)`,
        };
      });
    this.cache.set(key, rules);
    return rules;
  }

  rule(kind: CaseKind, packId: string, ruleId: string): Rule | undefined {
    return this.rulesFor(kind, packId).find((r) => r.id === ruleId);
  }
}
