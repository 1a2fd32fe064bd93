/**
 * Who receives an early-intervention prompt, by the kind of rule that fired: a behaviour pattern goes to the
 * behaviour lead (the person who "analyses incidents to identify students causing concern for early
 * intervention"), an attendance pattern to the attendance lead or else the pupil's key worker, a suspension
 * of a pupil on the SEN register to the SENDCo (SEND Code of Practice 0 to 25, chapter 6, "The role of the
 * SENCO in schools", https://www.gov.uk/government/publications/send-code-of-practice-0-to-25; the DfE
 * suspension and permanent exclusion guidance asks schools to consider the additional support a pupil with
 * SEN needs, https://www.gov.uk/government/publications/school-exclusion). Each route is a list of tiers tried in
 * order; the first tier that names at least one active member of staff receives the prompt. A tier is a
 * role, PUPIL_KEY_WORKER (the pupil's own key worker), or several joined by "+" (all of them). The defaults and the
 * a suspension or exclusion of a looked-after pupil to the designated teacher, else the head. The defaults and the
 * SAFEGUARDING_ALERT_ROUTES syntax are in docs/safeguarding.md ("Early-intervention alerts").
 */
import { z } from 'zod';
import { type Role, roles } from '../staff/roles.ts';
import type { AlertRule } from './alert-rules.ts';

export type AlertKind = AlertRule['kind'];
export const ALERT_KINDS: readonly AlertKind[] = [
  'incidents',
  'attendance',
  'sen_suspension',
  'lac_suspension',
];

/** PUPIL_KEY_WORKER is the pupil's own key worker (Student.keyWorkerId), not everyone holding a role. */
export type AlertTarget = Role | 'PUPIL_KEY_WORKER';
const targets: readonly string[] = [...roles, 'PUPIL_KEY_WORKER'];

/** One tier: "SENDCO" or "SENDCO+BEHAVIOUR_LEAD". */
export const alertTierSchema = z
  .string()
  .trim()
  .transform((s) => s.split('+').map((x) => x.trim().toUpperCase()))
  .refine((xs) => xs.length > 0 && xs.every((x) => targets.includes(x)), {
    message: `expected a role (${roles.join(', ')}) or PUPIL_KEY_WORKER, several joined by "+"`,
  })
  .transform((xs) => xs as AlertTarget[]);

export type AlertRoute = AlertTarget[][];

export const DEFAULT_ALERT_ROUTES: Readonly<Record<AlertKind, AlertRoute>> = {
  incidents: [['BEHAVIOUR_LEAD'], ['PUPIL_KEY_WORKER'], ['HEAD']],
  attendance: [['ATTENDANCE_LEAD'], ['PUPIL_KEY_WORKER'], ['HEAD']],
  sen_suspension: [['SENDCO'], ['BEHAVIOUR_LEAD'], ['HEAD']],
  // A looked-after pupil: the designated teacher (Children and Young Persons Act 2008 s.20), else the head,
  // who must tell the Virtual School Head (School Discipline Regulations 2012 reg 5, as amended in 2022).
  lac_suspension: [['DESIGNATED_TEACHER'], ['HEAD']],
};

/**
 * "incidents=BEHAVIOUR_LEAD,PUPIL_KEY_WORKER; attendance=PUPIL_KEY_WORKER" (kinds not named keep their default).
 * Returns the routes or the problems (each names the kind and the position, never more).
 */
export function parseAlertRoutes(
  spec: string | undefined,
): { ok: true; routes: Record<AlertKind, AlertRoute> } | { ok: false; problems: string[] } {
  const routes: Record<AlertKind, AlertRoute> = { ...DEFAULT_ALERT_ROUTES };
  const problems: string[] = [];
  for (const part of (spec ?? '').split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const kind = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase() as AlertKind;
    if (eq < 0 || !ALERT_KINDS.includes(kind)) {
      problems.push(`expected <kind>=<tier>,<tier>… with kind one of ${ALERT_KINDS.join(', ')}`);
      continue;
    }
    const tiers = part
      .slice(eq + 1)
      .split(',')
      .filter((t) => t.trim() !== '');
    if (tiers.length === 0) {
      problems.push(`${kind}: no recipient named`);
      continue;
    }
    const route: AlertRoute = [];
    tiers.forEach((t, i) => {
      const r = alertTierSchema.safeParse(t);
      if (r.success) route.push(r.data);
      else problems.push(`${kind} tier ${i + 1}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    });
    routes[kind] = route;
  }
  return problems.length ? { ok: false, problems } : { ok: true, routes };
}

/** "BEHAVIOUR_LEAD, then PUPIL_KEY_WORKER, then HEAD" (doctor and docs). */
export const describeRoute = (route: AlertRoute): string =>
  route.map((tier) => tier.join(' + ')).join(', then ');
