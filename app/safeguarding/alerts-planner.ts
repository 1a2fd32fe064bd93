/**
 * Early-intervention alerts: evaluate the threshold rules (core/escalations/alert-rules.ts) over recent
 * incidents and attendance, record each firing once (Alert unique on student + rule + window), and
 * prompt privately, with the pattern, whoever the rule's kind is routed to (core/escalations/alert-routes.ts:
 * behaviour -> the behaviour lead, attendance -> the attendance lead or the pupil's key worker, a suspension
 * of a pupil on the SEN register -> the SENDCo, of a looked-after pupil -> the designated teacher;
 * SAFEGUARDING_ALERT_ROUTES overrides).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { addDays } from '../../core/calendar/iso-date.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import { ValidationError } from '../../core/errors.ts';
import {
  type AlertKind,
  type AlertRoute,
  type AlertTarget,
  DEFAULT_ALERT_ROUTES,
  parseAlertRoutes,
} from '../../core/escalations/alert-routes.ts';
import {
  type AlertRule,
  alertRulesSchema,
  defaultAlertRules,
  evaluateAlertRules,
} from '../../core/escalations/alert-rules.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { yaml } from '../../integrations/lazy-yaml.ts';
import type { AlertRepository } from '../../store/alert-repository.ts';
import { safeguardingConfig } from '../config/safeguarding.ts';
import type { Hub } from '../container.ts';

/** How each target reads in the prompt ("Sent to you as ..."). */
const targetLabel = (t: AlertTarget): string =>
  t === 'PUPIL_KEY_WORKER'
    ? "the pupil's key worker"
    : t === 'SENDCO'
      ? 'SENDCo'
      : t === 'DSL' || t === 'DEPUTY_DSL'
        ? t.replace('_', ' ')
        : t.toLowerCase().replaceAll('_', ' ');

/** What the prompt suggests, by kind (content-free: counts and dates only). */
const PROMPT_TEXT: Record<AlertKind, string> = {
  incidents:
    'A pattern worth a conversation. Consider early help, a behaviour support plan or a TAC meeting; talk to the DSL if you are worried.',
  attendance:
    'Attendance below 90% is persistent absence (DfE, Working together to improve school attendance, 2024). Consider a conversation with the family and early help; talk to the DSL if you are worried.',
  sen_suspension:
    'A pupil on the SEN register has been suspended. Review their SEN support and plan the reintegration meeting; talk to the DSL if you are worried.',
  lac_suspension:
    "A looked-after pupil has been suspended or excluded. The head must tell the pupil's Virtual School Head (and social worker) without delay and invite them to any governing board meeting (School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 5, as amended in 2022). The Virtual School Head is not reached through the hub: contact them directly. Open a suspension case so its statutory dates are counted (send-hub case open --kind SUSPENSION) and update the PEP.",
};

const rulesFileSchema = z.union([
  alertRulesSchema,
  z.object({
    default: alertRulesSchema.optional(),
    orgs: z.record(z.string(), alertRulesSchema).default({}),
  }),
]);

/** Rules per organisation (by id or name) from a file; the defaults otherwise. */
export function loadAlertRules(file: string | undefined): (org: { id: string; name: string }) => AlertRule[] {
  if (!file) return () => defaultAlertRules;
  let raw: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    raw = /\.json$/i.test(file) ? JSON.parse(text) : yaml().parse(text);
  } catch (err) {
    throw new ValidationError(`${file}: cannot read the alert rules: ${(err as Error).message}`);
  }
  const parsed = rulesFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || 'file'}: ${i.message}`).join('\n'),
    );
  }
  const v = parsed.data;
  if (Array.isArray(v)) return () => v;
  return (org) => v.orgs[org.id] ?? v.orgs[org.name] ?? v.default ?? defaultAlertRules;
}

export function alertsPlanner(
  hub: Hub,
  alerts: AlertRepository,
  rulesFor: (org: { id: string; name: string }) => AlertRule[],
) {
  const parsed = parseAlertRoutes(safeguardingConfig(hub.config).SAFEGUARDING_ALERT_ROUTES);
  // The config section validated the same string at start; the defaults are only a belt.
  const routes: Record<AlertKind, AlertRoute> = parsed.ok ? parsed.routes : { ...DEFAULT_ALERT_ROUTES };
  /** The first tier of the kind's route that names somebody active (the pupil's key worker, or a role). */
  const recipients = async (
    student: { orgId: string; keyWorkerId: string | null },
    kind: AlertKind,
    ruleRoute: AlertRoute | undefined,
  ): Promise<{ to: string[]; as: string }> => {
    for (const tier of ruleRoute ?? routes[kind]) {
      const to = new Set<string>();
      for (const target of tier) {
        if (target === 'PUPIL_KEY_WORKER') {
          if (student.keyWorkerId) to.add(student.keyWorkerId);
        } else for (const s of await hub.staff.withRole(student.orgId, target)) to.add(s.id);
      }
      if (to.size > 0) return { to: [...to], as: tier.map(targetLabel).join(' + ') };
    }
    return { to: [], as: 'nobody' };
  };
  return {
    name: 'early-intervention-alerts',
    async run(now: Date): Promise<Record<string, number>> {
      const zone = hub.config.env.TIME_ZONE;
      const today = localDate(now, zone);
      // The widest window any rule looks at (attendance over up to 52 weeks).
      const sinceDate = addDays(today, -366);
      const rows = await alerts.factsSince(sinceDate, new Date(`${sinceDate}T00:00:00Z`));
      const orgs = new Map((await hub.orgs.all()).map((o) => [o.id, o]));
      let fired = 0;
      for (const { student, facts } of rows) {
        const org = orgs.get(student.orgId);
        if (!org) continue;
        const rules = rulesFor(org);
        for (const f of evaluateAlertRules(facts, today, rules)) {
          const rule = rules.find((r) => r.id === f.ruleId);
          const { to, as } = await recipients(student, f.kind, rule?.to);
          if (to.length === 0)
            hub.log.warn(
              { ruleId: f.ruleId, kind: f.kind },
              'early-intervention alert with nobody to route to',
            );
          const label = studentLabel(student);
          const done = await alerts.transaction(async (tx) => {
            const id = await alerts.fireIn(tx, student.orgId, f, now);
            if (!id) return false;
            for (const s of to) {
              await hub.outbox.enqueueIn(tx, {
                idempotencyKey: `alert:${id}:${s}`,
                orgId: student.orgId,
                to: { staffId: s },
                priority: 3,
                notBefore: hub.notBefore(student.orgId, now),
                message: message({
                  kind: 'alert',
                  audience: 'private',
                  title:
                    f.kind === 'lac_suspension'
                      ? `Tell the Virtual School Head: ${label}, ${f.pattern}`
                      : `Early help prompt for ${label}: ${f.pattern}`,
                  text: PROMPT_TEXT[f.kind],
                  facts: [
                    { label: 'Pupil', value: label },
                    { label: 'Rule', value: f.ruleId },
                    { label: 'Sent to you as', value: as },
                  ],
                  subject: { type: 'alert', id },
                }),
              });
            }
            await hub.audit.recordIn(tx, {
              orgId: student.orgId,
              actorKind: 'system',
              action: 'alert.fired',
              subjectType: 'alert',
              subjectId: id,
              studentId: student.id,
              channel: 'SYSTEM',
              details: {
                ruleId: f.ruleId,
                kind: f.kind,
                windowKey: f.windowKey,
                recipients: to,
                routedAs: as,
                ...f.detail,
              },
            });
            return true;
          });
          if (done) fired++;
        }
      }
      return { students: rows.length, fired };
    },
  };
}
