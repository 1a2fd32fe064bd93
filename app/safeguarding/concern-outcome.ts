/**
 * After acknowledgement (issue 7): the DSL's private record view, the outcome, the chronology, and the
 * unacknowledged concerns for digests. Messages carry initials, year, category and the risk flag only;
 * the record (text, name) is shown only by `openRecord`, privately, to a safeguarding lead
 * (core/access/policy.ts).
 */
import { canActOnConcern, canViewConcern, require } from '../../core/access/policy.ts';
import { ValidationError } from '../../core/errors.ts';
import {
  type ConcernDto,
  type ConcernOutcome,
  outcomeChoicesError,
  outcomeLabels,
  parseOutcome,
} from '../../core/escalations/concern.ts';
import { concernRef, handledMessage, recordMessage } from '../../core/escalations/concern-messages.ts';
import { isOverdue } from '../../core/escalations/escalation-ladder.ts';
import { yearLabel } from '../../core/escalations/not-on-roll.ts';
import { happenedText } from '../../core/escalations/report-delay.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ActionResult, Actor, Platform } from '../../core/ports.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { type DeadlinesService, TEXT_CONTEXT } from './concern-core.ts';
import { ConcernIntake } from './concern-intake.ts';

/** A concern's record as its reader sees it: decrypted, names resolved, with its audited chronology. */
export interface ConcernRecord {
  concern: ConcernDto;
  /** "Zephyrine Quillborough", or the name as the raiser gave it when the pupil is not on the roll. */
  studentName: string;
  notOnRoll: boolean;
  studentLabel: string;
  /** The raiser's name, or "import (cpoms)". */
  raisedBy: string;
  text: string;
  actionsTaken: string;
  outcome: string | null;
  chronology: ChronologyEntry[];
}

export interface ChronologyEntry {
  at: string;
  what: string;
  who: string | null;
  channel: string | null;
  details: unknown;
}

export class ConcernOutcomes extends ConcernIntake {
  /** The DSL's private record view (who saw which record is audited: docs/data-protection.md §6). */
  async openRecord(actor: Actor, id: string, via: Platform | 'CLI'): Promise<ActionResult> {
    const r = await this.recordView(actor, id, via);
    return {
      reply: recordMessage({
        id,
        studentName: r.notOnRoll
          ? `${r.studentName} (not on roll${r.concern.notOnRollYear ? `, ${yearLabel(r.concern.notOnRollYear)}` : ''}: \`concern link ${concernRef(id)} <UPN>\` links a record)`
          : r.studentName,
        studentLabel: r.studentLabel,
        category: r.concern.category,
        immediateRisk: r.concern.immediateRisk,
        occurredAt: this.fmt(r.concern.occurredAt),
        raisedAt: this.fmt(r.concern.raisedAt),
        raisedBy: r.raisedBy,
        status: r.concern.status,
        text: r.text,
        actionsTaken: r.actionsTaken,
        outcome: r.outcome,
        chronology: r.chronology.map(
          (e) => `${e.at} ${e.what}${e.who ? ` (${e.who})` : ''}${e.channel ? ` via ${e.channel}` : ''}`,
        ),
      }),
    };
  }

  /**
   * The record itself, decrypted, after the access check, the viewing audited (`concern.record_viewed`):
   * the one path behind the chat's Open record and the web chronology (issue 17).
   */
  async recordView(actor: Actor, id: string, via: Platform | 'CLI' | 'WEB'): Promise<ConcernRecord> {
    const c = await this.load(actor, id);
    require(canViewConcern(actor, c), 'open safeguarding records');
    const secret = await this.concerns.secretFields(id);
    const student = await this.subjects.student(c.studentId);
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
      concern: c,
      studentName: student ? `${student.givenName} ${student.familyName}` : (this.notOnRollNameOf(c) ?? '?'),
      notOnRoll: !student,
      studentLabel: student ? studentLabel(student) : this.notOnRollLabelOf(c),
      raisedBy,
      text: secret ? this.hub.cipher.decrypt(secret.textEnc, TEXT_CONTEXT) : '',
      actionsTaken: await this.actionsTaken(c, secret?.actionsTakenEnc),
      outcome: c.outcome ? (outcomeLabels[c.outcome as ConcernOutcome] ?? c.outcome) : null,
      chronology: await this.chronology(id),
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
      // No outcome, no record (issue 13): nothing is assumed; the valid ones are listed as typed.
      throw new ValidationError(outcomeChoicesError(rawOutcome, concernRef(id)), 'outcome');
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
      // Working Together to Safeguard Children 2023, chapter 3 (W1-W6 in docs/deadlines.md): the referral starts the child-protection timeframes.
      const deadlines = this.hub.services.get('deadlines') as DeadlinesService | undefined;
      if (!c.studentId) {
        // A pupil not on the roll has no record to open a case on: link one first (concern link).
        extra = ` The pupil is not on the roll: link a record (\`concern link ${concernRef(id)} <UPN>\`), then open the child-protection case.`;
      } else if (deadlines?.openCase) {
        // Only what the DSL entered (issue 13): the case opens on the referral (its start event is
        // `referral_received`), and no strategy discussion is written: it is recorded when it has happened.
        // Its dates are the LA's (Rule.owner 'la'): shown on the case, never nudged to the DSL.
        const opened = (await deadlines.openCase({
          orgId: c.orgId,
          studentId: c.studentId,
          kind: 'CHILD_PROTECTION',
          startDate: date,
          ownerId: actor.staffId,
          actorId: actor.staffId,
          via,
        })) as { caseId?: string; reference?: string } | undefined;
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
        extra = ` Child-protection timeframes have started: case ${opened?.reference ?? '?'} shows the LA's key dates; record the strategy discussion when it has happened.`;
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
        title: `Outcome recorded for concern ${concernRef(id)}: ${outcomeLabels[outcome]}.`,
        // What follows from it (the case, the LA's dates), below the title: a title is 200 characters at most.
        ...(extra ? { text: extra.trim() } : {}),
      }),
    };
  }

  /** The audit trail of a concern as a chronology (ids resolved to staff names; no record text). */
  async chronology(id: string): Promise<ChronologyEntry[]> {
    const rows = await this.hub.audit.forSubject('concern', id);
    const names = new Map<string, string>();
    const name = async (sid: string | null) => {
      if (!sid) return null;
      if (!names.has(sid)) names.set(sid, (await this.hub.staff.byId(sid))?.displayName ?? sid);
      return names.get(sid) ?? sid;
    };
    const out: ChronologyEntry[] = [];
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
  async unacknowledged(orgId: string): Promise<
    {
      id: string;
      ref: string;
      studentLabel: string;
      raisedAt: Date;
      happened: string | null;
      overdue: boolean;
      immediateRisk: boolean;
    }[]
  > {
    const now = this.hub.clock.now();
    const rows = await this.concerns.unacknowledged(orgId);
    const out = [];
    for (const c of rows) {
      const s = await this.subjects.student(c.studentId);
      out.push({
        id: c.id,
        ref: concernRef(c.id),
        studentLabel: s ? studentLabel(s) : this.notOnRollLabelOf(c),
        raisedAt: c.raisedAt,
        happened: happenedText(c.occurredAt, c.raisedAt, this.fmt(c.occurredAt)),
        // The ladder's own timers (the demo's 1-minute steps in every process): "overdue" when its step is.
        overdue: isOverdue(c, now, await this.ladderPolicy(c.orgId)),
        immediateRisk: c.immediateRisk,
      });
    }
    return out;
  }
}
