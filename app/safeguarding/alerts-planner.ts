/**
 * Early-intervention alerts: evaluate the threshold rules (core/escalations/alert-rules.ts) over recent
 * incidents and attendance, record each firing once (Alert unique on student + rule + window), and
 * prompt the pupil's key worker, or else the behaviour lead(s), privately with the pattern.
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { addDays } from '../../core/calendar/iso-date.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import { ValidationError } from '../../core/errors.ts';
import {
  type AlertRule,
  alertRulesSchema,
  defaultAlertRules,
  evaluateAlertRules,
} from '../../core/escalations/alert-rules.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import type { AlertRepository } from '../../store/alert-repository.ts';
import type { Hub } from '../container.ts';

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
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
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
        for (const f of evaluateAlertRules(facts, today, rulesFor(org))) {
          let to = student.keyWorkerId ? [student.keyWorkerId] : [];
          if (to.length === 0)
            to = (await hub.staff.withRole(student.orgId, 'BEHAVIOUR_LEAD')).map((s) => s.id);
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
                  title: `Early help prompt for ${label}: ${f.pattern}`,
                  text: 'A pattern worth a conversation. Consider early help or a TAC meeting; talk to the DSL if you are worried.',
                  facts: [
                    { label: 'Pupil', value: label },
                    { label: 'Rule', value: f.ruleId },
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
              details: { ruleId: f.ruleId, windowKey: f.windowKey, recipients: to, ...f.detail },
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
