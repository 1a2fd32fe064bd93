/**
 * The DSL's buttons on a ladder message (issue 7; split from concern-ladder.ts in issue 16): Acknowledge,
 * Take ownership and Escalate. The acknowledge link of an e-mail or SMS (app/safeguarding/out-of-chat-ack.ts)
 * comes through the same `acknowledge`, so a link and a chat button stop the ladder and tell the others alike.
 */
import { canActOnConcern, require } from '../../core/access/policy.ts';
import { concernRef, handledMessage } from '../../core/escalations/concern-messages.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ActionResult, Actor, Platform } from '../../core/ports.ts';
import { ConcernLadder } from './concern-ladder.ts';

export class ConcernAcks extends ConcernLadder {
  /** Acknowledge (or take ownership of) a RAISED concern; tells everyone else on the ladder it is handled. */
  async acknowledge(actor: Actor, id: string, via: Platform | 'WEB', own: boolean): Promise<ActionResult> {
    return (await this.acknowledgeWithOutcome(actor, id, via, own)).result;
  }

  /**
   * `acknowledge`, also saying what happened: `acked` or `owned` by this call, or `already` acknowledged
   * (`closed`: owned and closed) by someone before it. The acknowledge link (out-of-chat-ack.ts) words its
   * page from the outcome, never from the chat reply; so does the DSL board (`via` 'WEB', issue 17).
   */
  async acknowledgeWithOutcome(
    actor: Actor,
    id: string,
    via: Platform | 'WEB',
    own: boolean,
  ): Promise<{ outcome: 'acked' | 'owned' | 'already' | 'closed'; result: ActionResult }> {
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
      const result: ActionResult = {
        resolved: { text: `Already acknowledged by ${by}.` },
        reply: message({
          kind: 'text',
          audience: 'private',
          title: `Concern ${concernRef(id)} is already with ${by}.`,
        }),
      };
      return { outcome, result };
    }
    const verb = own || outcome === 'owned' ? 'Owned' : 'Acknowledged';
    const result: ActionResult = {
      resolved: { text: `${verb} by ${actor.displayName} at ${this.fmt(now)}` },
      reply: message({
        kind: 'text',
        audience: 'private',
        title: `${verb}: concern ${concernRef(id)} for ${summary.studentLabel}. Open the record to read it; the others have been told.`,
      }),
    };
    return { outcome, result };
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
}
