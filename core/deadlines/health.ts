/**
 * No silent emptiness (issue 14 point 1): why a case has fewer deadlines than its kind should have. Its
 * rule pack is unknown (or has no rules for the kind), the key date its rules start from is missing, or a
 * rule counts school days or terms and the school has no term dates. Shown where the case is shown
 * (timeline, due, digest, doctor, the tick's log as counts) and in one line at `case open`. Pure; the
 * messages name rules and event kinds, never a child.
 */
import type { RuleBook } from './registry.ts';
import { returnAfter } from './suspension.ts';
import type { CaseKind } from './types.ts';

export type CaseProblemCode =
  | 'unknown_pack'
  | 'no_rules'
  | 'waiting_for_event'
  | 'needs_term_dates'
  | 'no_return_date';

export interface CaseProblem {
  code: CaseProblemCode;
  message: string;
}

/** Key dates without which a case kind computes its main duties (the rest wait on the law's triggers). */
const EXPECTED_EVENTS: Partial<Record<CaseKind, { event: string; rules: string }[]>> = {
  SUSPENSION: [{ event: 'first_day_of_suspension', rules: 'X5s, X6s' }],
  PERMANENT_EXCLUSION: [{ event: 'first_day_of_exclusion', rules: 'X5' }],
};

/** "X5s, X6s" -> the rules' names, as users read them ("Education from … and Governing board …"). */
function ruleNames(ids: string, rules: readonly { id: string; name: string }[]): string {
  const names = ids.split(', ').map((id) => `"${rules.find((r) => r.id === id)?.name ?? id}"`);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
}

export const TERM_DATES_HINT = 'import the school calendar: send-hub import ics <file|url>';

export function caseProblems(
  c: { kind: CaseKind; rulePack: string; events: { kind: string; occurredOn?: string }[] },
  computedCount: number,
  hasTermDates: boolean,
  book: RuleBook,
): CaseProblem[] {
  const pack = book.pack(c.rulePack);
  if (!pack)
    return [
      {
        code: 'unknown_pack',
        message: `rule pack "${c.rulePack}" is unknown, so no deadlines are computed (known packs: ${book
          .allPacks()
          .map((p) => p.id)
          .join(', ')})`,
      },
    ];
  const rules = book.rulesFor(c.kind, c.rulePack);
  if (rules.length === 0)
    return [
      {
        code: 'no_rules',
        message: `rule pack ${c.rulePack} has no rules for ${c.kind} cases, so no deadlines are computed`,
      },
    ];
  const out: CaseProblem[] = [];
  const have = new Set(c.events.map((e) => e.kind));
  for (const x of EXPECTED_EVENTS[c.kind] ?? [])
    if (!have.has(x.event))
      out.push({
        code: 'waiting_for_event',
        message: `waiting for the key date ${x.event} (${ruleNames(x.rules, rules)} count from it)`,
      });
  if (computedCount === 0 && out.length === 0) {
    const anchors = [...new Set(rules.flatMap((r) => r.anchor.events))];
    out.push({
      code: 'waiting_for_event',
      message: `no deadlines yet: none of the key dates its rules start from is recorded (record one of: ${anchors.join(', ')})`,
    });
  }
  // A suspension is for a fixed period (Education Act 2002 s.51A(1)): one with no return date recorded is counted as continuing through today
  // (core/deadlines/suspension.ts), never as 0 days, and its holder is told so.
  if (c.kind === 'SUSPENSION') {
    const dated = c.events.filter((e) => e.occurredOn !== undefined);
    for (const f of dated)
      if (f.kind === 'first_day_of_suspension' && !returnAfter(dated, f.occurredOn!))
        out.push({
          code: 'no_return_date',
          message: `no return date recorded for the suspension from ${f.occurredOn}: a suspension is for a fixed period, so it is counted as continuing, every school day through today, towards the governing board's 15 days in a term (reg 6(3)(b)) until its return_date is recorded`,
        });
  }
  if (!hasTermDates) {
    const school = rules.filter((r) => r.offset.unit === 'SD' || r.offset.unit === 'TERM');
    if (school.length)
      out.push({
        code: 'needs_term_dates',
        message: `needs the school's term dates: ${school.map((r) => r.id).join(', ')} count school days or terms, and without term dates they are estimated from working days (${TERM_DATES_HINT})`,
      });
  }
  return out;
}
