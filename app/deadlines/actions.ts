/**
 * Buttons on deadline nudges (subject type 'deadline'): done (with the date met), snooze (until a date),
 * reassign (to a colleague), pause (a regulation's exception reason), resume (the exception no longer
 * applies). Access is decided by
 * core/access/policy.ts; every change is audited in the same transaction (store/deadline-repository.ts).
 */
import { canActOnCase, require } from '../../core/access/policy.ts';
import { addDays, isIsoDate } from '../../core/calendar/iso-date.ts';
import { DEADLINE_REMINDER_KINDS, formatDate } from '../../core/deadlines/nudges.ts';
import { ValidationError } from '../../core/errors.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ActionResult, InboundAction } from '../../core/ports.ts';
import type { Who } from '../../store/case-repository.ts';
import type { DeadlineWithCase } from '../../store/deadline-repository.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from './service.ts';

const who = (a: InboundAction): Who => ({ actorId: a.actor.staffId, actorKind: 'staff', channel: a.via });

const reply = (title: string, text = '') => ({
  reply: message({ kind: 'text', audience: 'private', title, text }),
});

export function deadlineActionHandlers(hub: Hub, svc: DeadlineService) {
  async function load(a: InboundAction): Promise<DeadlineWithCase | ActionResult> {
    const d = await svc.deadlines.byId(a.subject.id);
    if (!d) return reply('That deadline no longer exists.');
    const allowed =
      canActOnCase(a.actor, {
        orgId: d.case.orgId,
        kind: d.case.kind,
        ownerId: d.ownerId ?? d.case.ownerId,
        ownerLineManagerId: d.owner?.lineManagerId ?? d.case.owner?.lineManagerId ?? null,
      }) ||
      canActOnCase(a.actor, {
        orgId: d.case.orgId,
        kind: d.case.kind,
        ownerId: d.case.ownerId,
        ownerLineManagerId: d.case.owner?.lineManagerId ?? null,
      });
    require(allowed, 'act on this deadline');
    if (d.status !== 'OPEN' && d.status !== 'PAUSED')
      return { resolved: { text: `Already ${d.status.toLowerCase()}.` } };
    return d;
  }
  const isDeadline = (x: DeadlineWithCase | ActionResult): x is DeadlineWithCase => 'ruleId' in x;

  /** Withdraw pending nudges of this deadline and close the reminder the button came from. */
  async function settle(a: InboundAction, deadlineId: string) {
    await hub.reminders.reconcile([{ type: 'deadline', id: deadlineId }], [], DEADLINE_REMINDER_KINDS);
    if (a.args.reminderId) await hub.reminders.answer(a.args.reminderId, 'done');
    svc.changed();
  }

  const done = async (a: InboundAction): Promise<ActionResult> => {
    const d = await load(a);
    if (!isDeadline(d)) return d;
    const today = svc.today();
    const metOn = a.args.metOn ?? today;
    if (!isIsoDate(metOn) || metOn > today)
      throw new ValidationError(`date met "${metOn}": expected a date on or before today (YYYY-MM-DD)`);
    if (!(await svc.deadlines.markMet(d, metOn, who(a)))) return { resolved: { text: 'Already answered.' } };
    await settle(a, d.id);
    const late = metOn > d.dueOn ? ` (late: due ${formatDate(d.dueOn)})` : '';
    return { resolved: { text: `Met on ${formatDate(metOn)}${late}: recorded by ${a.actor.displayName}` } };
  };

  const snooze = async (a: InboundAction): Promise<ActionResult> => {
    const d = await load(a);
    if (!isDeadline(d)) return d;
    const today = svc.today();
    const days = Math.max(1, Math.min(30, Number(a.args.days ?? '2') || 2));
    const until = a.args.until && isIsoDate(a.args.until) ? a.args.until : addDays(today, days);
    if (until <= today) throw new ValidationError('snooze: the date must be after today');
    if (!(await svc.deadlines.snooze(d, until, who(a)))) return { resolved: { text: 'Already answered.' } };
    if (a.args.reminderId) await hub.reminders.answer(a.args.reminderId, 'done');
    svc.changed();
    const warn =
      until > d.dueOn ? ' The deadline itself does not move; the line manager is told if it passes.' : '';
    return { resolved: { text: `Snoozed by ${a.actor.displayName} until ${formatDate(until)}.${warn}` } };
  };

  const reassign = async (a: InboundAction): Promise<ActionResult> => {
    const d = await load(a);
    if (!isDeadline(d)) return d;
    const to = a.args.to;
    if (!to) {
      const colleagues = (await hub.staff.all(d.case.orgId))
        .filter((s) => s.active && s.id !== (d.ownerId ?? d.case.ownerId))
        .slice(0, 8);
      return {
        reply: message({
          kind: 'text',
          audience: 'private',
          title: 'Reassign to whom?',
          text: `Choose a colleague, or type: deadline reassign ${d.id} <email>`,
          subject: { type: 'deadline', id: d.id },
          actions: colleagues.map((s) => ({
            verb: 'reassign' as const,
            label: s.displayName,
            style: 'default' as const,
            args: { to: s.id },
          })),
        }),
      };
    }
    const target = to.includes('@') ? await hub.staff.byEmail(to, d.case.orgId) : await hub.staff.byId(to);
    if (!target || !target.active || target.orgId !== d.case.orgId)
      throw new ValidationError(`reassign: no active colleague "${to}" in this organisation`);
    if (!(await svc.deadlines.reassign(d, target.id, who(a))))
      return { resolved: { text: 'Already answered.' } };
    await settle(a, d.id);
    return { resolved: { text: `Reassigned to ${target.displayName} by ${a.actor.displayName}` } };
  };

  const pause = async (a: InboundAction): Promise<ActionResult> => {
    const d = await load(a);
    if (!isDeadline(d)) return d;
    const rule = svc.ruleFor(d.case.kind, d.case.rulePack, d.ruleId);
    const reasons = rule?.exceptions ?? [];
    if (reasons.length === 0)
      return reply(
        'This timeframe has no statutory exception.',
        'The law lists no reason to pause it: record why it is late instead (CoP 9.42: complete as soon as possible).',
      );
    const reason = reasons.find((r) => r.code === a.args.reason);
    if (!reason) {
      return {
        reply: message({
          kind: 'text',
          audience: 'private',
          title:
            'Which exception applies? (it must be true and evidenced; the family must be told, CoP 9.43)',
          text: [
            ...reasons.map((r) => `${r.code}: ${r.label} [${r.source}]`),
            `Type: deadline pause ${d.id} <code> [from YYYY-MM-DD] [to YYYY-MM-DD]`,
          ].join('\n'),
          subject: { type: 'deadline', id: d.id },
          actions: reasons.map((r) => ({
            verb: 'pause' as const,
            label: r.label.slice(0, 60),
            style: 'default' as const,
            args: { reason: r.code },
          })),
        }),
      };
    }
    const today = svc.today();
    const fromDate = a.args.from ?? today;
    const toDate = a.args.to ?? null;
    if (!isIsoDate(fromDate) || (toDate !== null && (!isIsoDate(toDate) || toDate < fromDate)))
      throw new ValidationError('pause: from and to must be dates YYYY-MM-DD, to on or after from');
    const evidenceEnc = a.args.evidence ? svc.cases.encryptEvidence(a.args.evidence, d.case.id) : null;
    if (!(await svc.deadlines.pause(d, { reason: reason.code, fromDate, toDate, evidenceEnc }, who(a))))
      return { resolved: { text: 'Already answered.' } };
    await settle(a, d.id);
    return {
      resolved: {
        text: `Paused by ${a.actor.displayName}: ${reason.label} (${reason.source}). Statutory date stays ${formatDate(d.dueOn)}.`,
      },
      // The way back, for when the exception stops applying (CoP 9.43: complete as soon as practicable).
      reply: message({
        kind: 'text',
        audience: 'private',
        title: 'Paused. When the exception no longer applies, resume the timeframe.',
        text: `Or type: deadline resume ${d.id}`,
        subject: { type: 'deadline', id: d.id },
        actions: [{ verb: 'resume', label: 'Resume timeframe', style: 'default', args: {} }],
      }),
    };
  };

  /**
   * The exception no longer applies (SEND Regs 2014 reg 10(4)/13(3): the timeframe does not apply only
   * while the exception lasts): the deadline is open again, nudged as before; audited.
   */
  const resume = async (a: InboundAction): Promise<ActionResult> => {
    const d = await load(a);
    if (!isDeadline(d)) return d;
    if (d.status !== 'PAUSED') return reply('That deadline is not paused.');
    if (!(await svc.deadlines.resume(d, who(a)))) return { resolved: { text: 'Already answered.' } };
    await settle(a, d.id);
    const late = d.dueOn < svc.today() ? ' It is past that date: complete it as soon as practicable.' : '';
    return {
      resolved: {
        text: `Resumed by ${a.actor.displayName}. Statutory date ${formatDate(d.dueOn)}; nudges start again.${late}`,
      },
    };
  };

  return { done, snooze, reassign, pause, resume };
}
