/**
 * Early-intervention threshold rules over imported behaviour incidents and attendance. Early help is
 * "providing support as soon as a problem emerges" (KCSIE 2025 Part one paras 18-23; Working Together
 * 2023 ch. 1), so patterns, not single events, prompt the member of staff the rule kind is routed to (alert-routes.ts). Each rule
 * fires at most once per pattern window: the window key is stored under a unique index (Alert table).
 */
import { z } from 'zod';
import { addDays, daysBetween, type IsoDate } from '../calendar/iso-date.ts';
import { alertTierSchema } from './alert-routes.ts';
import { type CategoryList, categoryList } from './safeguarding-categories.ts';

/**
 * Suspension categories as MIS behaviour exports and CPOMS name them (a suspension was a "fixed-term
 * exclusion" before 2022). Override per rule in SAFEGUARDING_ALERT_RULES_FILE.
 */
export const SUSPENSION_CATEGORIES: readonly string[] = [
  'Suspension',
  '* > Suspension',
  'Suspension (fixed term)',
  'Suspension (fixed-term)',
  '* > Suspension (fixed term)',
  '* > Suspension (fixed-term)',
  'Fixed-term Exclusion',
  'Fixed Term Exclusion',
  '* > Fixed-term Exclusion',
  '* > Fixed Term Exclusion',
  'Permanent Exclusion',
  '* > Permanent Exclusion',
];

export const alertRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1),
    kind: z.literal('incidents'),
    /** Who is prompted, overriding the kind's route (tiers as in SAFEGUARDING_ALERT_ROUTES; alert-routes.ts). */
    to: z.array(alertTierSchema).min(1).optional(),
    /** e.g. 3 incidents … */
    count: z.number().int().min(1),
    /** … within 7 days. */
    days: z.number().int().min(1).max(366),
    /** Only incidents in one of these exact categories ("Behaviour > *" for a parent; safeguarding-categories.ts); empty = all. */
    categories: z.array(z.string()).default([]),
  }),
  z.object({
    id: z.string().min(1),
    kind: z.literal('attendance'),
    /** Who is prompted, overriding the kind's route (tiers as in SAFEGUARDING_ALERT_ROUTES; alert-routes.ts). */
    to: z.array(alertTierSchema).min(1).optional(),
    /** Below this percentage … (90% = "persistent absence" threshold, DfE Working together to improve school attendance 2024). */
    belowPercent: z.number().min(0).max(100),
    /** … over the last N weeks of attendance periods. */
    weeks: z.number().int().min(1).max(52),
  }),
  z.object({
    id: z.string().min(1),
    kind: z.literal('sen_suspension'),
    /** Who is prompted, overriding the kind's route (tiers as in SAFEGUARDING_ALERT_ROUTES; alert-routes.ts). */
    to: z.array(alertTierSchema).min(1).optional(),
    /**
     * Incident categories that mean a suspension, exact (normalised case, spaces and " > "). An internal
     * exclusion or a removal from the classroom is not a suspension (DfE suspension and permanent exclusion
     * guidance, https://www.gov.uk/government/publications/school-exclusion), so no substring "exclusion".
     */
    categories: z.array(z.string()).default(() => [...SUSPENSION_CATEGORIES]),
    /** "New": occurred in the last N days (older ones are history, not a prompt). */
    withinDays: z.number().int().min(1).max(366).default(14),
  }),
  z.object({
    id: z.string().min(1),
    /**
     * A looked-after pupil's suspension or exclusion (audit finding 10): the head must tell the Virtual
     * School Head without delay (School Discipline (Pupil Exclusions and Reviews) (England) Regulations
     * 2012 reg 5, amended by SI 2022/788); the designated teacher (Children and Young Persons Act 2008
     * s.20) is prompted to see that it is done.
     */
    kind: z.literal('lac_suspension'),
    /** Who is prompted, overriding the kind's route (tiers as in SAFEGUARDING_ALERT_ROUTES; alert-routes.ts). */
    to: z.array(alertTierSchema).min(1).optional(),
    /**
     * Incident categories that mean a suspension, exact (normalised case, spaces and " > "). An internal
     * exclusion or a removal from the classroom is not a suspension (DfE suspension and permanent exclusion
     * guidance, https://www.gov.uk/government/publications/school-exclusion), so no substring "exclusion".
     */
    categories: z.array(z.string()).default(() => [...SUSPENSION_CATEGORIES]),
    /** "New": occurred in the last N days (older ones are history, not a prompt). */
    withinDays: z.number().int().min(1).max(366).default(14),
  }),
]);
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRulesSchema = z.array(alertRuleSchema);

export const defaultAlertRules: AlertRule[] = [
  { id: 'incidents-3-in-7', kind: 'incidents', count: 3, days: 7, categories: [] },
  { id: 'attendance-under-90-4w', kind: 'attendance', belowPercent: 90, weeks: 4 },
  { id: 'sen-suspension', kind: 'sen_suspension', categories: [...SUSPENSION_CATEGORIES], withinDays: 14 },
  { id: 'lac-suspension', kind: 'lac_suspension', categories: [...SUSPENSION_CATEGORIES], withinDays: 14 },
];

export interface IncidentFact {
  id: string;
  date: IsoDate;
  categories: string[];
}
export interface AttendanceFact {
  periodStart: IsoDate;
  periodEnd: IsoDate;
  possible: number;
  attended: number;
}
export interface StudentFacts {
  studentId: string;
  onSenRegister: boolean;
  /** Looked after by a local authority (Student.childInCare). */
  inCare?: boolean;
  incidents: IncidentFact[];
  attendance: AttendanceFact[];
}

export interface AlertFiring {
  studentId: string;
  ruleId: string;
  /** The rule's kind: who receives the prompt depends on it (alert-routes.ts). */
  kind: AlertRule['kind'];
  /** Unique per rule and pattern window: the same pattern never fires twice. */
  windowKey: string;
  /** What triggered it: counts and dates only (no text). */
  pattern: string;
  detail: Record<string, string | number>;
}

/** Fixed windows of `days` days counted from 2000-01-03 (a Monday), so a window key is stable. */
function windowStart(today: IsoDate, days: number): IsoDate {
  const epoch = '2000-01-03';
  const n = Math.floor(daysBetween(epoch, today) / days);
  return addDays(epoch, n * days);
}

const compiled = new WeakMap<string[], CategoryList>();
/** Does an incident fall in one of the rule's categories (exact; an empty list means every category)? */
const matches = (cats: string[], wanted: string[]): boolean => {
  if (wanted.length === 0) return true;
  let list = compiled.get(wanted);
  if (!list) {
    list = categoryList(wanted);
    compiled.set(wanted, list);
  }
  return list.first(cats) !== null;
};

/**
 * Evaluate every rule for one student on `today` (local date). Returns the rules that fire.
 * @example evaluateAlertRules(facts, '2026-11-24', defaultAlertRules)
 */
export function evaluateAlertRules(facts: StudentFacts, today: IsoDate, rules: AlertRule[]): AlertFiring[] {
  const out: AlertFiring[] = [];
  for (const rule of rules) {
    if (rule.kind === 'incidents') {
      const from = addDays(today, -(rule.days - 1));
      const hits = facts.incidents.filter(
        (i) => i.date >= from && i.date <= today && matches(i.categories, rule.categories),
      );
      if (hits.length >= rule.count) {
        out.push({
          studentId: facts.studentId,
          ruleId: rule.id,
          kind: rule.kind,
          windowKey: windowStart(today, rule.days),
          pattern: `${hits.length} behaviour incidents in the last ${rule.days} days (threshold ${rule.count})`,
          detail: { incidents: hits.length, days: rule.days, from, to: today },
        });
      }
    } else if (rule.kind === 'attendance') {
      const from = addDays(today, -rule.weeks * 7);
      const periods = facts.attendance.filter((a) => a.periodEnd > from && a.periodEnd <= today);
      const possible = periods.reduce((s, a) => s + a.possible, 0);
      const attended = periods.reduce((s, a) => s + a.attended, 0);
      if (possible > 0) {
        const pct = (attended / possible) * 100;
        if (pct < rule.belowPercent) {
          out.push({
            studentId: facts.studentId,
            ruleId: rule.id,
            kind: rule.kind,
            windowKey: windowStart(today, rule.weeks * 7),
            pattern: `attendance ${pct.toFixed(1)}% over the last ${rule.weeks} weeks (below ${rule.belowPercent}%)`,
            detail: { percent: Number(pct.toFixed(1)), possible, attended, weeks: rule.weeks },
          });
        }
      }
    } else if (rule.kind === 'sen_suspension' ? facts.onSenRegister : facts.inCare === true) {
      const from = addDays(today, -rule.withinDays);
      for (const i of facts.incidents) {
        if (i.date < from || i.date > today) continue;
        if (!matches(i.categories, rule.categories) || rule.categories.length === 0) continue;
        out.push({
          studentId: facts.studentId,
          ruleId: rule.id,
          kind: rule.kind,
          // One alert per suspension.
          windowKey: `incident:${i.id}`,
          pattern:
            rule.kind === 'sen_suspension'
              ? `pupil on the SEN register has a new suspension (${i.date})`
              : `looked-after pupil has a new suspension or exclusion (${i.date})`,
          detail: { date: i.date },
        });
      }
    }
  }
  return out;
}
