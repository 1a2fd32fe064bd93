/**
 * The escalation ladder of a concern (issue 7): route each step, step the due ones, act on an
 * undeliverable message. The DSL's buttons are in concern-acks.ts.
 *
 * Each step moves a cursor with a conditional update and enqueues with keys
 * `concern:<id>:step:<n>:<staffId>`, so a restart or a second worker neither loses nor repeats a step.
 * Issue 16: the notification rules add the step's e-mail and SMS to each person
 * (`...:<staffId>:email|sms`, not before their due moment; out-of-chat.ts), and a person is unreachable
 * only when no chat channel and no verified method reaches them. Each person's own times (`settings
 * notify`) are merged over the organisation's here, the sooner of the two winning.
 */
import { DomainError } from '../../core/errors.ts';
import type { ConcernDto } from '../../core/escalations/concern.ts';
import {
  type ConcernSummary,
  concernRef,
  escalationMessage,
  undeliveredNotice,
  unreachableNotice,
} from '../../core/escalations/concern-messages.ts';
import { levelLabel, planStep, stepKey } from '../../core/escalations/escalation-ladder.ts';
import { planNotifications } from '../../core/escalations/notification-rules.ts';
import { withPersonalTimes } from '../../core/escalations/personal-notify.ts';
import { inHours, type Ladder } from '../../core/escalations/rota.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Tx } from '../../store/db.ts';
import { ConcernCore, type Reach } from './concern-core.ts';

export class ConcernLadder extends ConcernCore {
  /**
   * Send the step at the concern's cursor (and, if nobody on that step can be reached, the following
   * steps at once: an unreachable DSL must not delay action, KCSIE Part one / Annex C). Moves the
   * cursor conditionally; throws (rolling back) if another worker moved it first.
   */
  protected async routeIn(
    tx: Tx,
    c: ConcernDto,
    ladder: Ladder,
    reach: Map<string, Reach>,
    now: Date,
    summary: ConcernSummary,
    admins: string[],
  ): Promise<string[]> {
    // Everything routeIn reads outside `tx` (ladder, reach, admins) is read BEFORE the transaction: a
    // second pool connection taken inside it could deadlock a burst on PostgreSQL (pool exhausted by
    // transactions queued on the audit chain's advisory lock).
    // Written by a process that does not deliver (`send-hub import`): on PostgreSQL wake the running hubs
    // when this commits (scheduler/outbox-listener.ts); they poll every DELIVERY_INTERVAL_MS anyway.
    if (!this.hub.delivers) await this.hub.outbox.notifyUrgentIn(tx);
    if (ladder.length === 0) {
      for (const a of admins) {
        await this.hub.outbox.enqueueIn(tx, {
          idempotencyKey: `concern:${c.id}:noladder:${c.escalationLevel}:${a}`,
          orgId: c.orgId,
          to: { staffId: a },
          priority: 0,
          message: message({
            kind: 'admin_notice',
            audience: 'private',
            urgent: true,
            title: `Safeguarding route broken: no DSL, deputy or head is on the rota for concern ${concernRef(c.id)}`,
            text: 'Set the rota now (`rota`), or give someone the DSL role.',
            subject: { type: 'concern', id: c.id },
          }),
        });
      }
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorKind: 'system',
        action: 'concern.no_route',
        subjectType: 'concern',
        subjectId: c.id,
        studentId: c.studentId,
        channel: 'SYSTEM',
        details: { step: c.escalationLevel, adminsTold: admins.length },
      });
      const next = planStep(
        ladder,
        c.escalationLevel,
        c.immediateRisk,
        now,
        this.policyFor(c.orgId),
      ).nextDueAt;
      if (!(await this.concerns.advanceIn(tx, c.id, c.escalationLevel, c.escalationLevel + 1, next)))
        throw new DomainError('CONFLICT', `concern ${c.id} moved on concurrently`);
      return [];
    }
    let step = c.escalationLevel;
    const sentTo: string[] = [];
    const lastStep = Math.max(step, ladder.length);
    for (; step <= lastStep; step++) {
      const plan = planStep(ladder, step, c.immediateRisk, now, this.policyFor(c.orgId));
      const routes: Record<string, string> = {};
      const outOfChat: Record<string, string[]> = {};
      for (const m of plan.recipients) {
        const r = reach.get(m.staffId) ?? { staffId: m.staffId, name: m.staffId, platform: null };
        const notify = planNotifications({
          // The person's own times (settings notify), never later than the organisation's.
          rules: withPersonalTimes(this.outOfChat.rules(c.orgId), r.notifyTimes),
          immediateRisk: c.immediateRisk,
          outOfHours: !inHours(now, this.hours()),
          chat: !!r.platform || !!r.deferred,
          methods: r.methods ?? [],
          at: now,
        });
        if (notify.length === 0) {
          // This process delivers and no channel reaches the person: reported to the admins at once, once
          // per person per concern; never to the person themself (an unreachable head who is the admin).
          for (const a of admins.filter((x) => x !== m.staffId)) {
            await this.hub.outbox.enqueueIn(tx, {
              idempotencyKey: `concern:${c.id}:unreachable:${m.staffId}:${a}`,
              orgId: c.orgId,
              to: { staffId: a },
              priority: 0,
              message: unreachableNotice(summary, r.name, levelLabel[m.level]),
            });
          }
          await this.hub.audit.recordIn(tx, {
            orgId: c.orgId,
            actorKind: 'system',
            action: 'concern.recipient_unreachable',
            subjectType: 'concern',
            subjectId: c.id,
            studentId: c.studentId,
            channel: 'SYSTEM',
            details: { step, staffId: m.staffId, level: m.level, adminsTold: admins.length },
          });
          this.hub.log.warn(
            { concernId: c.id, staffId: m.staffId, step },
            'safeguarding ladder member unreachable',
          );
          continue;
        }
        const key = stepKey(c.id, step, m.staffId);
        if (notify[0]?.method === 'CHAT')
          await this.hub.outbox.enqueueIn(tx, {
            idempotencyKey: key,
            orgId: c.orgId,
            to: { staffId: m.staffId },
            priority: 0,
            message: escalationMessage(summary, step, plan.kind === 'resend'),
          });
        const queued = await this.outOfChat.enqueueIn(tx, c, step, m.staffId, key, notify);
        routes[m.staffId] = r.platform ?? (notify[0]?.method === 'CHAT' ? 'at delivery' : queued.join('+'));
        if (queued.length > 0)
          outOfChat[m.staffId] = notify
            .filter((n) => n.method !== 'CHAT')
            .map((n) => `${n.method}+${Math.round((n.at.getTime() - now.getTime()) / 60_000)}min`);
        sentTo.push(`${r.name} (${levelLabel[m.level]})`);
      }
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorKind: 'system',
        action:
          plan.kind === 'resend'
            ? 'concern.resent'
            : step === 0
              ? 'concern.sent_to_dsl'
              : 'concern.escalated',
        subjectType: 'concern',
        subjectId: c.id,
        studentId: c.studentId,
        channel: 'SYSTEM',
        details: {
          step,
          levels: [...new Set(plan.recipients.map((m) => m.level))],
          routes,
          unreachable: plan.recipients.filter((m) => !routes[m.staffId]).map((m) => m.staffId),
          nextDueAt: plan.nextDueAt.toISOString(),
          ...(Object.keys(outOfChat).length > 0 ? { outOfChat } : {}),
        },
      });
      if (sentTo.length > 0 || plan.kind === 'resend') {
        if (!(await this.concerns.advanceIn(tx, c.id, c.escalationLevel, step + 1, plan.nextDueAt)))
          throw new DomainError('CONFLICT', `concern ${c.id} moved on concurrently`);
        return sentTo;
      }
    }
    return sentTo;
  }

  /**
   * A ladder message could not be delivered (the platform answered "no such user", or no channel reaches
   * the person any more). An unreachable DSL must not delay action (KCSIE Part one; Annex C): the admins
   * are told at once, and the next step goes now rather than when the acknowledgement time runs out.
   * Once per concern and person; nothing happens if the concern is already acknowledged.
   */
  async deliveryFailed(id: string, recipientId: string | null, why: string, key?: string): Promise<void> {
    const c = await this.concerns.byId(id);
    if (!c || c.status !== 'RAISED') return;
    if (key && recipientId && (await this.anotherMethodLeft(c, recipientId, key))) return;
    // Once per concern and person: a dead account on every later re-send must not step the ladder again
    // and again (the admins already know; the re-send schedule carries on for the others).
    const before = await this.hub.audit.forSubject('concern', id);
    if (
      before.some(
        (e) =>
          e.action === 'concern.delivery_failed' &&
          (e.details as { recipientId?: string | null } | null)?.recipientId === recipientId,
      )
    )
      return;
    const now = this.hub.clock.now();
    const summary = await this.summary(c);
    const admins = await this.admins(c.orgId);
    const person = recipientId ? await this.hub.staff.byId(recipientId) : null;
    const who = person?.displayName ?? 'a member of the ladder';
    const first = await this.concerns.transaction(async (tx) => {
      let told = false;
      for (const a of admins.filter((x) => x !== recipientId)) {
        told =
          (await this.hub.outbox.enqueueIn(tx, {
            idempotencyKey: `concern:${id}:undelivered:${recipientId ?? '-'}:${a}`,
            orgId: c.orgId,
            to: { staffId: a },
            priority: 0,
            message: undeliveredNotice(summary, who, why),
          })) || told;
      }
      const moved = await this.concerns.escalateNowIn(tx, id, now);
      if (!told && !moved) return false;
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorKind: 'system',
        action: 'concern.delivery_failed',
        subjectType: 'concern',
        subjectId: id,
        studentId: c.studentId,
        channel: 'SYSTEM',
        details: { recipientId, step: c.escalationLevel, reason: why, adminsTold: admins.length },
      });
      return true;
    });
    if (!first) return;
    this.hub.log.warn(
      { concernId: id, staffId: recipientId },
      'safeguarding message undeliverable; next step now',
    );
    await this.stepOne(id, now);
    this.hub.deliverer.wake();
  }

  /**
   * Issue 16: one method failing does not make a person unreachable while another of the step's methods
   * (chat, e-mail, SMS) may still reach them. If none of those is under way, the earliest one not yet due
   * goes now: a dead channel must not make the ladder wait (KCSIE Part one). Audited once per message.
   */
  private async anotherMethodLeft(c: ConcernDto, staffId: string, key: string): Promise<boolean> {
    const k = /^(concern:[^:]+:step:(\d+):[^:]+)(?::(email|sms))?$/.exec(key);
    if (!k?.[1]) return false;
    const rows = (await this.concerns.stepMessagesTo(k[1])).filter((r) => r.key !== key);
    const alive = rows.filter((r) => r.state !== 'FAILED' && r.state !== 'CANCELLED');
    if (alive.length === 0) return false;
    const now = this.hub.clock.now();
    const underWay = alive.some((r) => r.state !== 'PENDING' || r.due <= now);
    const next = underWay ? undefined : alive.sort((a, b) => a.due.getTime() - b.due.getTime())[0];
    const moved = next ? await this.concerns.bringForward(next.key, now) : false;
    const seen = (await this.hub.audit.forSubject('concern', c.id)).some(
      (e) => e.action === 'concern.method_failed' && (e.details as { key?: string } | null)?.key === key,
    );
    if (!seen)
      await this.hub.audit.record({
        orgId: c.orgId,
        actorKind: 'system',
        action: 'concern.method_failed',
        subjectType: 'concern',
        subjectId: c.id,
        studentId: c.studentId,
        channel: 'SYSTEM',
        details: {
          key,
          recipientId: staffId,
          step: Number(k[2]),
          method: k[3]?.toUpperCase() ?? 'CHAT',
          broughtForward: moved ? (next?.key.split(':').at(-1) ?? null) : null,
        },
      });
    if (moved) this.hub.deliverer.wake();
    return true;
  }

  /** The ladder planner: every unacknowledged concern whose next step is due. */
  async tick(now: Date): Promise<Record<string, number>> {
    const due = await this.concerns.dueForEscalation(now);
    let stepped = 0;
    let skipped = 0;
    for (const c of due) {
      if (await this.stepOne(c.id, now)) stepped++;
      else skipped++;
    }
    return { due: due.length, stepped, skipped };
  }

  protected async stepOne(id: string, now: Date): Promise<boolean> {
    const c = await this.concerns.byId(id);
    if (!c || c.status !== 'RAISED') return false;
    const ladder = await this.ladderFor(c.orgId, now);
    const reach = await this.reachAll(ladder, c.orgId);
    const summary = await this.summary(c);
    const admins = await this.admins(c.orgId);
    try {
      await this.concerns.transaction(async (tx) => {
        const fresh = await this.concerns.byId(id, tx);
        if (!fresh || fresh.status !== 'RAISED' || fresh.escalationLevel !== c.escalationLevel)
          throw new DomainError('CONFLICT', 'moved on');
        await this.routeIn(tx, fresh, ladder, reach, now, summary, admins);
      });
      return true;
    } catch (err) {
      if ((err as DomainError).code === 'CONFLICT') return false;
      throw err;
    }
  }
}
