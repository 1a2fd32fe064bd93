/**
 * The safeguarding workflow around the pure ladder (core/escalations): raise a concern, route each
 * escalation step, acknowledge, take ownership, escalate, open the record, record the outcome.
 *
 * Invariants (issue 7):
 * - The concern, its audit event and its first step's messages commit in ONE transaction, before the
 *   raiser is told who it went to.
 * - Each step moves a cursor with a conditional update and enqueues with keys
 *   `concern:<id>:step:<n>:<staffId>`, so a restart or a second worker neither loses nor repeats a step.
 * - Messages carry initials, year, category and the risk flag only; the record (text, name) is shown
 *   only by `openRecord`, privately, to a safeguarding lead (core/access/policy.ts).
 */
import { canActOnConcern, canRaiseConcern, canViewConcern, require } from '../../core/access/policy.ts';
import { DomainError, NotFoundError, ValidationError } from '../../core/errors.ts';
import {
  type ConcernDto,
  type ConcernOutcome,
  outcomeLabels,
  parseOutcome,
} from '../../core/escalations/concern.ts';
import {
  type ConcernSummary,
  channelNotice,
  concernRef,
  escalationMessage,
  handledMessage,
  outcomePrompt,
  recordMessage,
  undeliveredNotice,
  unreachableNotice,
} from '../../core/escalations/concern-messages.ts';
import {
  type EscalationPolicy,
  isOverdue,
  levelLabel,
  planStep,
  stepKey,
} from '../../core/escalations/escalation-ladder.ts';
import { type DutyHours, type Ladder, ladderAt, ladderFromRoles } from '../../core/escalations/rota.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ActionResult, Actor, Platform } from '../../core/ports.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import type { ConcernRepository, StudentRef } from '../../store/concern-repository.ts';
import type { Tx } from '../../store/db.ts';
import type { RotaRepository } from '../../store/rota-repository.ts';
import type { SafeguardingEnv } from '../config/safeguarding.ts';
import type { Hub } from '../container.ts';

export const TEXT_CONTEXT = 'Concern.textEnc';
export const ACTIONS_CONTEXT = 'Concern.actionsTakenEnc';

export interface RaiseInput {
  orgId: string;
  studentId: string;
  raisedById: string | null;
  source: 'chat' | 'incident';
  externalId: string | null;
  category: string;
  immediateRisk: boolean;
  text: string;
  actionsTaken: string;
  occurredAt: Date;
  via: Platform | 'SYSTEM' | 'CLI';
  /**
   * Chat intake identity (concern-form.ts intakeKey): the same form instance submitted again (a double
   * click, a platform re-delivery) returns the first result and creates and sends nothing.
   */
  intakeKey?: string | null;
  /** Raised from a shared channel whose organisation wants the notice: post only channelNotice() there. */
  channelNotice?: { platform: 'TEAMS' | 'SLACK'; tenantId: string; conversationId: string } | null;
}

export interface RaiseResult {
  concern: ConcernDto;
  created: boolean;
  /** "Tom Reed (DSL)" for each person the first step went to. */
  sentTo: string[];
}

interface Reach {
  staffId: string;
  name: string;
  platform: Platform | null;
}

/** The deadlines engine's service (issue 3, app/deadlines/service.ts OpenCaseInput), if that module is loaded. */
interface DeadlinesService {
  openCase(input: {
    orgId: string;
    studentId: string;
    kind: 'CHILD_PROTECTION';
    startDate: string;
    ownerId: string | null;
    events?: { kind: string; occurredOn: string }[];
    actorId?: string | null;
    via?: string;
  }): Promise<{ caseId?: string; reference?: string } | unknown>;
}

export class ConcernService {
  readonly policy: EscalationPolicy;
  private readonly consoleOn: boolean;
  private routerFor: { channels: number; router: ChannelRouter } | undefined;

  constructor(
    private readonly hub: Hub,
    readonly concerns: ConcernRepository,
    readonly rota: RotaRepository,
    readonly settings: SafeguardingEnv,
  ) {
    this.policy = {
      ackMinutes: settings.SAFEGUARDING_ACK_MINUTES,
      ackMinutesImmediate: settings.SAFEGUARDING_ACK_MINUTES_IMMEDIATE,
      resendMinutes: settings.SAFEGUARDING_RESEND_MINUTES,
      resendMinutesImmediate: settings.SAFEGUARDING_RESEND_MINUTES_IMMEDIATE,
    };
    // The console reaches anyone at the terminal, so it counts as a route only when it is enabled.
    const env = hub.config.env;
    this.consoleOn =
      env.CONSOLE_CHANNEL === 'on' || (env.CONSOLE_CHANNEL === 'auto' && !hub.config.production);
  }

  /**
   * The channels that count as a route, read when routing: the Teams and Slack modules add their
   * channels after this module is set up (app/modules.ts order), so a list taken in the constructor
   * would hold only the console, and with the console off every DSL would look unreachable.
   */
  private get reachRouter(): ChannelRouter {
    const channels = this.hub.channels;
    if (this.routerFor?.channels !== channels.length)
      this.routerFor = {
        channels: channels.length,
        router: new ChannelRouter(channels.filter((c) => c.platform !== 'CONSOLE' || this.consoleOn)),
      };
    return this.routerFor.router;
  }

  hours(): DutyHours {
    return {
      from: this.settings.SAFEGUARDING_HOURS_FROM,
      until: this.settings.SAFEGUARDING_HOURS_UNTIL,
      zone: this.hub.config.env.TIME_ZONE,
      holidays: this.hub.holidays,
    };
  }

  /** The ladder on duty at `at`: the rota, or (no rota) the staff holding DSL / deputy / head roles. */
  async ladderFor(orgId: string, at: Date): Promise<Ladder> {
    const entries = await this.rota.list(orgId);
    if (entries.length > 0) {
      const active = new Set((await this.hub.staff.all(orgId)).filter((s) => s.active).map((s) => s.id));
      return ladderAt(
        entries.filter((e) => active.has(e.staffId)),
        at,
        this.hours(),
      );
    }
    const staff = (await this.hub.staff.all(orgId)).filter((s) => s.active);
    return ladderFromRoles(staff);
  }

  /** Can any enabled channel reach this person now? Checked at routing time, not at delivery. */
  async reach(staffId: string): Promise<Reach> {
    const s = await this.hub.staff.byId(staffId);
    if (!s) return { staffId, name: staffId, platform: null };
    const route = this.reachRouter.forPerson(s, await this.hub.staff.identities(staffId));
    return { staffId, name: s.displayName, platform: route?.channel.platform ?? null };
  }

  private async reachAll(ladder: Ladder): Promise<Map<string, Reach>> {
    const out = new Map<string, Reach>();
    for (const m of ladder.flat()) out.set(m.staffId, await this.reach(m.staffId));
    return out;
  }

  private fmt(d: Date): string {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: this.hub.config.env.TIME_ZONE,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(d);
  }

  private async summary(c: ConcernDto, student?: StudentRef | null): Promise<ConcernSummary> {
    const s = student ?? (await this.concerns.student(c.studentId));
    return {
      id: c.id,
      studentLabel: s ? studentLabel(s) : 'pupil',
      category: c.category,
      immediateRisk: c.immediateRisk,
      raisedAt: this.fmt(c.raisedAt),
    };
  }

  /**
   * Store a concern and send its first step, in one transaction. Idempotent on (source, externalId):
   * an import that reports the same incident twice raises one concern.
   */
  async raise(input: RaiseInput): Promise<RaiseResult> {
    if (input.intakeKey) {
      const seen = await this.intakeReceipt(input.orgId, input.intakeKey);
      if (seen) return seen;
    }
    if (input.externalId) {
      const existing = await this.concerns.byExternal(input.orgId, input.source, input.externalId);
      if (existing) return { concern: existing, created: false, sentTo: [] };
    }
    const now = this.hub.clock.now();
    const student = await this.concerns.student(input.studentId);
    if (!student || student.orgId !== input.orgId) throw new NotFoundError('Pupil', input.studentId);
    const ladder = await this.ladderFor(input.orgId, now);
    const reach = await this.reachAll(ladder);
    const admins = await this.admins(input.orgId);
    const noticeTo = input.channelNotice
      ? await this.noticeConversation(input.orgId, input.channelNotice)
      : null;
    let result: { concern: ConcernDto; sentTo: string[] };
    try {
      result = await this.concerns.transaction(async (tx) => {
        const concern = await this.concerns.createIn(tx, {
          orgId: input.orgId,
          studentId: input.studentId,
          raisedById: input.raisedById,
          source: input.source,
          externalId: input.externalId,
          category: input.category,
          immediateRisk: input.immediateRisk,
          textEnc: this.hub.cipher.encrypt(input.text, TEXT_CONTEXT),
          actionsTakenEnc: input.actionsTaken
            ? this.hub.cipher.encrypt(input.actionsTaken, ACTIONS_CONTEXT)
            : null,
          occurredAt: input.occurredAt,
          raisedAt: now,
          intakeKey: input.intakeKey ?? null,
        });
        await this.hub.audit.recordIn(tx, {
          orgId: input.orgId,
          actorId: input.raisedById,
          actorKind: input.raisedById ? 'staff' : 'import',
          action: 'concern.raised',
          subjectType: 'concern',
          subjectId: concern.id,
          studentId: input.studentId,
          channel: input.via,
          details: { source: input.source, category: input.category, immediateRisk: input.immediateRisk },
        });
        const summary: ConcernSummary = {
          id: concern.id,
          studentLabel: studentLabel(student),
          category: concern.category,
          immediateRisk: concern.immediateRisk,
          raisedAt: this.fmt(concern.raisedAt),
        };
        const sentTo = await this.routeIn(tx, concern, ladder, reach, now, summary, admins);
        if (input.intakeKey) await this.concerns.setSentToIn(tx, concern.id, sentTo);
        // Only when it reached someone on the ladder ("is with the DSL" must be true); no pupil, no
        // category, no risk flag, no names (domain.md §3C; UK GDPR Art. 5(1)(c) data minimisation).
        if (noticeTo && sentTo.length > 0) {
          await this.hub.outbox.enqueueIn(tx, {
            idempotencyKey: `concern:${concern.id}:channel-notice`,
            orgId: input.orgId,
            to: { conversationId: noticeTo.id },
            priority: 5,
            message: channelNotice(),
          });
          await this.hub.audit.recordIn(tx, {
            orgId: input.orgId,
            actorKind: 'system',
            action: 'concern.channel_notice',
            subjectType: 'concern',
            subjectId: concern.id,
            studentId: input.studentId,
            channel: noticeTo.platform,
            details: { conversation: noticeTo.id },
          });
        }
        return { concern, sentTo };
      });
    } catch (err) {
      // The same chat submission twice at once: the unique intake key kept one; answer as it did.
      if (input.intakeKey && (err as { code?: string }).code === 'P2002') {
        const seen = await this.intakeReceipt(input.orgId, input.intakeKey);
        if (seen) return seen;
      }
      // Two imports raced on the same incident: the unique key kept one; return it.
      if (input.externalId && (err as { code?: string }).code === 'P2002') {
        const existing = await this.concerns.byExternal(input.orgId, input.source, input.externalId);
        if (existing) return { concern: existing, created: false, sentTo: [] };
      }
      throw err;
    }
    this.hub.log.info(
      { concernId: result.concern.id, immediateRisk: input.immediateRisk, recipients: result.sentTo.length },
      'concern raised and routed',
    );
    await this.hub.events.emit('concern.raised', {
      orgId: input.orgId,
      concernId: result.concern.id,
      immediateRisk: input.immediateRisk,
    });
    return {
      concern: (await this.concerns.byId(result.concern.id)) ?? result.concern,
      created: true,
      sentTo: result.sentTo,
    };
  }

  /**
   * The concern an earlier delivery of the same chat submission created, with whom it went to: the
   * raiser sees the same confirmation again, and nothing is created, audited or sent.
   */
  async intakeReceipt(orgId: string, intakeKey: string): Promise<RaiseResult | null> {
    const seen = await this.concerns.byIntake(orgId, intakeKey);
    if (!seen) return null;
    this.hub.log.info(
      { concernId: seen.concern.id },
      'concern form submitted again: same confirmation, nothing created or sent',
    );
    return { concern: seen.concern, created: false, sentTo: seen.sentTo };
  }

  /** The stored conversation for a channel notice, or null (never fails the concern itself). */
  private async noticeConversation(
    orgId: string,
    where: NonNullable<RaiseInput['channelNotice']>,
  ): Promise<{ id: string; platform: Platform } | null> {
    try {
      const id = await this.concerns.conversationFor(
        orgId,
        where.platform,
        where.tenantId,
        where.conversationId,
        where.platform === 'SLACK',
      );
      return id ? { id, platform: where.platform } : null;
    } catch (err) {
      this.hub.log.warn({ err: (err as Error).message }, 'concern channel notice skipped');
      return null;
    }
  }

  /**
   * Send the step at the concern's cursor (and, if nobody on that step can be reached, the following
   * steps at once: an unreachable DSL must not delay action, KCSIE Part one / Annex C). Moves the
   * cursor conditionally; throws (rolling back) if another worker moved it first.
   */
  private async routeIn(
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
      const next = planStep(ladder, c.escalationLevel, c.immediateRisk, now, this.policy).nextDueAt;
      if (!(await this.concerns.advanceIn(tx, c.id, c.escalationLevel, c.escalationLevel + 1, next)))
        throw new DomainError('CONFLICT', `concern ${c.id} moved on concurrently`);
      return [];
    }
    let step = c.escalationLevel;
    const sentTo: string[] = [];
    const lastStep = Math.max(step, ladder.length);
    for (; step <= lastStep; step++) {
      const plan = planStep(ladder, step, c.immediateRisk, now, this.policy);
      const routes: Record<string, string> = {};
      for (const m of plan.recipients) {
        const r = reach.get(m.staffId) ?? { staffId: m.staffId, name: m.staffId, platform: null };
        if (!r.platform) {
          // Reported to the admin at once (not at delivery time), once per person per concern.
          for (const a of admins) {
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
        await this.hub.outbox.enqueueIn(tx, {
          idempotencyKey: stepKey(c.id, step, m.staffId),
          orgId: c.orgId,
          to: { staffId: m.staffId },
          priority: 0,
          message: escalationMessage(summary, step, plan.kind === 'resend'),
        });
        routes[m.staffId] = r.platform;
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

  /** Admins of the organisation (the ADMIN role; ADMIN_EMAIL as a fallback). */
  private async admins(orgId: string): Promise<string[]> {
    const admins = await this.hub.staff.withRole(orgId, 'ADMIN');
    if (admins.length > 0) return admins.map((a) => a.id);
    const email = this.hub.config.env.ADMIN_EMAIL;
    const byEmail = email ? await this.hub.staff.byEmail(email, orgId) : null;
    return byEmail ? [byEmail.id] : [];
  }

  /**
   * A ladder message could not be delivered (the platform answered "no such user", or no channel reaches
   * the person any more). An unreachable DSL must not delay action (KCSIE Part one; Annex C): the admins
   * are told at once, and the next step goes now rather than when the acknowledgement time runs out.
   * Once per concern and person; nothing happens if the concern is already acknowledged.
   */
  async deliveryFailed(id: string, recipientId: string | null, why: string): Promise<void> {
    const c = await this.concerns.byId(id);
    if (!c || c.status !== 'RAISED') return;
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

  private async stepOne(id: string, now: Date): Promise<boolean> {
    const c = await this.concerns.byId(id);
    if (!c || c.status !== 'RAISED') return false;
    const ladder = await this.ladderFor(c.orgId, now);
    const reach = await this.reachAll(ladder);
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

  private async load(actor: Actor, id: string): Promise<ConcernDto> {
    const c = await this.concerns.byId(id);
    if (!c || c.orgId !== actor.orgId) throw new NotFoundError('Concern', concernRef(id));
    return c;
  }

  /** Acknowledge (or take ownership of) a RAISED concern; tells everyone else on the ladder it is handled. */
  async acknowledge(actor: Actor, id: string, via: Platform, own: boolean): Promise<ActionResult> {
    const c = await this.load(actor, id);
    require(canActOnConcern(actor, c), 'act on safeguarding concerns');
    const now = this.hub.clock.now();
    const summary = await this.summary(c);
    const outcome = await this.concerns.transaction(async (tx) => {
      const acked = await this.concerns.acknowledgeIn(tx, id, actor.staffId, now, own);
      if (!acked) {
        if (!own) return 'already' as const;
        const took = await this.concerns.takeOwnershipIn(tx, id, actor.staffId);
        if (!took) return 'closed' as const;
        await this.hub.audit.recordIn(tx, {
          orgId: c.orgId,
          actorId: actor.staffId,
          actorKind: 'staff',
          action: 'concern.owned',
          subjectType: 'concern',
          subjectId: id,
          studentId: c.studentId,
          channel: via,
        });
        await this.enqueueOutcomePrompt(
          tx,
          c.orgId,
          id,
          actor.staffId,
          summary,
          `You own concern ${concernRef(id)} for ${summary.studentLabel}`,
        );
        return 'owned' as const;
      }
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: own ? 'concern.acknowledged_and_owned' : 'concern.acknowledged',
        subjectType: 'concern',
        subjectId: id,
        studentId: c.studentId,
        channel: via,
        details: {
          afterSteps: c.escalationLevel,
          minutesToAck: Math.round((now.getTime() - c.raisedAt.getTime()) / 60_000),
        },
      });
      const cancelled = await this.concerns.cancelPendingStepsIn(tx, id);
      if (cancelled > 0)
        this.hub.log.info(
          { concernId: id, cancelled },
          'undelivered escalation messages cancelled: acknowledged',
        );
      const others = (await this.concerns.notifiedStaff(id, tx)).filter((s) => s !== actor.staffId);
      const notice = handledMessage(summary, actor.displayName, this.fmt(now));
      for (const s of others) {
        await this.hub.outbox.enqueueIn(tx, {
          idempotencyKey: `concern:${id}:handled:${s}`,
          orgId: c.orgId,
          to: { staffId: s },
          priority: 0,
          message: notice,
        });
      }
      if (c.raisedById && c.raisedById !== actor.staffId && !others.includes(c.raisedById)) {
        await this.hub.outbox.enqueueIn(tx, {
          idempotencyKey: `concern:${id}:raiser-ack`,
          orgId: c.orgId,
          to: { staffId: c.raisedById },
          priority: 0,
          message: message({
            kind: 'concern_receipt',
            audience: 'private',
            title: `Your concern ${concernRef(id)} was acknowledged by ${actor.displayName} at ${this.fmt(now)}.`,
            subject: { type: 'concern', id },
          }),
        });
      }
      await this.enqueueOutcomePrompt(
        tx,
        c.orgId,
        id,
        actor.staffId,
        summary,
        `Acknowledged by you: concern ${concernRef(id)} for ${summary.studentLabel}`,
      );
      return 'acked' as const;
    });
    if (outcome === 'already' || outcome === 'closed') {
      const cur = await this.concerns.byId(id);
      const by = cur?.acknowledgedById
        ? ((await this.hub.staff.byId(cur.acknowledgedById))?.displayName ?? 'someone')
        : 'someone';
      return {
        resolved: { text: `Already acknowledged by ${by}.` },
        reply: message({
          kind: 'text',
          audience: 'private',
          title: `Concern ${concernRef(id)} is already with ${by}.`,
        }),
      };
    }
    const verb = own || outcome === 'owned' ? 'Owned' : 'Acknowledged';
    return {
      resolved: { text: `${verb} by ${actor.displayName} at ${this.fmt(now)}` },
      reply: message({
        kind: 'text',
        audience: 'private',
        title: `${verb}: concern ${concernRef(id)} for ${summary.studentLabel}. Open the record to read it; the others have been told.`,
      }),
    };
  }

  /** The outcome buttons, delivered as their own private message (so every channel can answer them later). */
  private async enqueueOutcomePrompt(
    tx: Tx,
    orgId: string,
    id: string,
    staffId: string,
    summary: ConcernSummary,
    headline: string,
  ): Promise<void> {
    await this.hub.outbox.enqueueIn(tx, {
      idempotencyKey: `concern:${id}:outcome-prompt:${staffId}`,
      orgId,
      to: { staffId },
      priority: 0,
      message: outcomePrompt(summary, headline),
    });
  }

  /** The Escalate button: send the next step now. */
  async escalate(actor: Actor, id: string, via: Platform): Promise<ActionResult> {
    const c = await this.load(actor, id);
    require(canActOnConcern(actor, c), 'escalate safeguarding concerns');
    if (c.status !== 'RAISED') {
      return {
        reply: message({
          kind: 'text',
          audience: 'private',
          title: `Concern ${concernRef(id)} is already acknowledged.`,
        }),
      };
    }
    const now = this.hub.clock.now();
    await this.concerns.transaction(async (tx) => {
      await this.concerns.escalateNowIn(tx, id, now);
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: 'concern.escalation_requested',
        subjectType: 'concern',
        subjectId: id,
        studentId: c.studentId,
        channel: via,
        details: { atStep: c.escalationLevel },
      });
    });
    await this.stepOne(id, now);
    return {
      resolved: { text: `Escalated by ${actor.displayName} at ${this.fmt(now)}` },
      reply: message({
        kind: 'text',
        audience: 'private',
        title: `Concern ${concernRef(id)} has gone to the next people on the ladder.`,
      }),
    };
  }

  /** The DSL's private record view (who saw which record is audited: domain.md §3C rule 4). */
  async openRecord(actor: Actor, id: string, via: Platform | 'CLI'): Promise<ActionResult> {
    const c = await this.load(actor, id);
    require(canViewConcern(actor, c), 'open safeguarding records');
    const secret = await this.concerns.secretFields(id);
    const student = await this.concerns.student(c.studentId);
    const raisedBy = c.raisedById
      ? ((await this.hub.staff.byId(c.raisedById))?.displayName ?? '?')
      : `import (${c.source})`;
    await this.hub.audit.record({
      orgId: c.orgId,
      actorId: actor.staffId,
      actorKind: 'staff',
      action: 'concern.record_viewed',
      subjectType: 'concern',
      subjectId: id,
      studentId: c.studentId,
      channel: via,
    });
    return {
      reply: recordMessage({
        id,
        studentName: student ? `${student.givenName} ${student.familyName}` : '?',
        studentLabel: student ? studentLabel(student) : '',
        category: c.category,
        immediateRisk: c.immediateRisk,
        occurredAt: this.fmt(c.occurredAt),
        raisedAt: this.fmt(c.raisedAt),
        raisedBy,
        status: c.status,
        text: secret ? this.hub.cipher.decrypt(secret.textEnc, TEXT_CONTEXT) : '',
        actionsTaken: secret?.actionsTakenEnc
          ? this.hub.cipher.decrypt(secret.actionsTakenEnc, ACTIONS_CONTEXT)
          : '',
        outcome: c.outcome ? (outcomeLabels[c.outcome as ConcernOutcome] ?? c.outcome) : null,
        chronology: (await this.chronology(id)).map(
          (e) => `${e.at} ${e.what}${e.who ? ` (${e.who})` : ''}${e.channel ? ` via ${e.channel}` : ''}`,
        ),
      }),
    };
  }

  /** Record the DSL's decision. A referral to children's social care starts the CP timeframes (issue 3). */
  async recordOutcome(
    actor: Actor,
    id: string,
    rawOutcome: string | undefined,
    via: Platform | 'CLI',
  ): Promise<ActionResult> {
    const c = await this.load(actor, id);
    require(canActOnConcern(actor, c), 'record safeguarding outcomes');
    const outcome = parseOutcome(rawOutcome);
    if (!outcome) {
      throw new ValidationError(
        `Say which outcome: ${Object.values(outcomeLabels).join(', ')} (e.g. \`record-outcome referral\`).`,
        'outcome',
      );
    }
    const now = this.hub.clock.now();
    const summary = await this.summary(c);
    const ok = await this.concerns.transaction(async (tx) => {
      if (c.status === 'RAISED' && (await this.concerns.acknowledgeIn(tx, id, actor.staffId, now, true))) {
        // Deciding the outcome is acknowledging it: stop the ladder and tell the others, as for Acknowledge.
        await this.concerns.cancelPendingStepsIn(tx, id);
        const notice = handledMessage(summary, actor.displayName, this.fmt(now));
        for (const s of (await this.concerns.notifiedStaff(id, tx)).filter((x) => x !== actor.staffId)) {
          await this.hub.outbox.enqueueIn(tx, {
            idempotencyKey: `concern:${id}:handled:${s}`,
            orgId: c.orgId,
            to: { staffId: s },
            priority: 0,
            message: notice,
          });
        }
      }
      const done = await this.concerns.recordOutcomeIn(tx, id, outcome, now, actor.staffId);
      if (!done) return false;
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: 'concern.outcome_recorded',
        subjectType: 'concern',
        subjectId: id,
        studentId: c.studentId,
        channel: via,
        details: { outcome },
      });
      return true;
    });
    if (!ok) {
      return {
        reply: message({
          kind: 'text',
          audience: 'private',
          title: `Concern ${concernRef(id)} already has an outcome.`,
        }),
      };
    }
    const date = now.toISOString().slice(0, 10);
    await this.hub.events.emit('concern.outcome', {
      orgId: c.orgId,
      concernId: id,
      studentId: c.studentId,
      outcome,
      at: now.toISOString(),
    });
    let extra = '';
    if (outcome === 'referral_csc') {
      // Working Together 2023 (domain.md §1G W1-W6): the referral starts the child-protection timeframes.
      const deadlines = this.hub.services.get('deadlines') as DeadlinesService | undefined;
      if (deadlines?.openCase) {
        // The referral date anchors W1/W2 (referral_received); the start event stands in for the strategy
        // discussion until the real one is recorded (W4 picks the latest strategy discussion).
        const opened = (await deadlines.openCase({
          orgId: c.orgId,
          studentId: c.studentId,
          kind: 'CHILD_PROTECTION',
          startDate: date,
          ownerId: actor.staffId,
          events: [{ kind: 'referral_received', occurredOn: date }],
          actorId: actor.staffId,
          via,
        })) as { caseId?: string } | undefined;
        await this.hub.audit.record({
          orgId: c.orgId,
          actorId: actor.staffId,
          actorKind: 'staff',
          action: 'concern.cp_timeframes_started',
          subjectType: 'concern',
          subjectId: id,
          studentId: c.studentId,
          channel: via,
          details: { startDate: date, caseId: opened?.caseId ?? null },
        });
        extra = ' Child-protection timeframes have started.';
      } else {
        this.hub.log.warn(
          { concernId: id },
          'referral recorded but no deadlines service: CP timeframes not started',
        );
        extra = ' (The deadline engine is not running: track the child-protection timeframes yourself.)';
      }
    }
    return {
      resolved: {
        text: `Outcome "${outcomeLabels[outcome]}" recorded by ${actor.displayName} at ${this.fmt(now)}`,
      },
      reply: message({
        kind: 'text',
        audience: 'private',
        title: `Outcome recorded for concern ${concernRef(id)}: ${outcomeLabels[outcome]}.${extra}`,
      }),
    };
  }

  /** The audit trail of a concern as a chronology (ids resolved to staff names; no record text). */
  async chronology(
    id: string,
  ): Promise<{ at: string; what: string; who: string | null; channel: string | null; details: unknown }[]> {
    const rows = await this.hub.audit.forSubject('concern', id);
    const names = new Map<string, string>();
    const name = async (sid: string | null) => {
      if (!sid) return null;
      if (!names.has(sid)) names.set(sid, (await this.hub.staff.byId(sid))?.displayName ?? sid);
      return names.get(sid) ?? sid;
    };
    const out = [];
    for (const r of rows) {
      out.push({
        at: r.at.toISOString(),
        what: r.action,
        who: await name(r.actorId),
        channel: r.channel,
        details: r.details,
      });
    }
    return out;
  }

  /** For digests: how many concerns nobody has acknowledged, and which are overdue ("red"). */
  async unacknowledged(
    orgId: string,
  ): Promise<{ id: string; ref: string; studentLabel: string; overdue: boolean; immediateRisk: boolean }[]> {
    const now = this.hub.clock.now();
    const rows = await this.concerns.unacknowledged(orgId);
    const out = [];
    for (const c of rows) {
      const s = await this.concerns.student(c.studentId);
      out.push({
        id: c.id,
        ref: concernRef(c.id),
        studentLabel: s ? studentLabel(s) : 'pupil',
        overdue: isOverdue(c, now, this.policy),
        immediateRisk: c.immediateRisk,
      });
    }
    return out;
  }

  assertCanRaise(actor: Actor): void {
    require(canRaiseConcern(actor, actor.orgId), 'raise a concern');
  }
}
