/**
 * Concern intake (issue 7): store a concern and send its first step; a chat form submitted twice
 * answers as it did the first time; the optional content-free notice in a shared channel.
 *
 * The concern, its audit event and its first step's messages commit in ONE transaction, before the
 * raiser is told who it went to.
 */
import { canActOnConcern, require } from '../../core/access/policy.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ConcernDto } from '../../core/escalations/concern.ts';
import { type ConcernSummary, channelNotice, concernRef } from '../../core/escalations/concern-messages.ts';
import { notOnRollLabel } from '../../core/escalations/not-on-roll.ts';
import { happenedText } from '../../core/escalations/report-delay.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Actor, Platform } from '../../core/ports.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { ConcernAcks } from './concern-acks.ts';
import {
  ACTIONS_CONTEXT,
  NOT_ON_ROLL_CONTEXT,
  type RaiseInput,
  type RaiseResult,
  TEXT_CONTEXT,
} from './concern-core.ts';

export class ConcernIntake extends ConcernAcks {
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
    // A pupil not on the roll (issue 13): no student record, the name as given (encrypted) instead.
    const notOnRollName = input.studentId ? null : (input.notOnRollName ?? '').trim();
    if (notOnRollName === '') throw new ValidationError('Say which pupil the concern is about.', 'student');
    const student = await this.subjects.student(input.studentId);
    if (input.studentId && (!student || student.orgId !== input.orgId))
      throw new NotFoundError('Pupil', input.studentId);
    const ladder = await this.ladderFor(input.orgId, now);
    const reach = await this.reachAll(ladder, input.orgId);
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
          notOnRollNameEnc: notOnRollName
            ? this.hub.cipher.encrypt(notOnRollName, NOT_ON_ROLL_CONTEXT)
            : null,
          notOnRollYear: notOnRollName ? input.notOnRollYear?.trim() || null : null,
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
          details: {
            source: input.source,
            category: input.category,
            immediateRisk: input.immediateRisk,
            ...(notOnRollName ? { notOnRoll: true } : {}),
          },
        });
        const summary: ConcernSummary = {
          id: concern.id,
          studentLabel: student
            ? studentLabel(student)
            : notOnRollLabel(notOnRollName ?? '', concern.notOnRollYear),
          category: concern.category,
          immediateRisk: concern.immediateRisk,
          raisedAt: this.fmt(concern.raisedAt),
          happened: happenedText(concern.occurredAt, concern.raisedAt, this.fmt(concern.occurredAt)),
        };
        const sentTo = await this.routeIn(tx, concern, ladder, reach, now, summary, admins);
        if (input.intakeKey) await this.concerns.setSentToIn(tx, concern.id, sentTo);
        // Only when it reached someone on the ladder ("is with the DSL" must be true); no pupil, no
        // category, no risk flag, no names (docs/data-protection.md §5; UK GDPR Art. 5(1)(c) data minimisation).
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
   * The DSL links a concern recorded "not on roll" to a student record (issue 13): `concern link <ref>
   * <UPN, id or name>` in chat, or `send-hub concern link` (actor null: the admin CLI). Audited; the name
   * as given stays, encrypted, on the concern. A safeguarding lead only (core/access/policy.ts).
   */
  async linkStudent(
    actor: Actor | null,
    ref: string,
    query: string,
    via: Platform | 'CLI',
  ): Promise<{ text: string; concern: ConcernDto }> {
    const c = await this.concerns.byRef(actor?.orgId ?? null, ref);
    if (!c) throw new NotFoundError('Concern', ref);
    if (actor) require(canActOnConcern(actor, c), 'link safeguarding concerns to a pupil');
    if (c.studentId)
      throw new ValidationError(`Concern ${concernRef(c.id)} is already linked to a pupil.`, 'ref');
    const matches = await this.subjects.findStudents(c.orgId, query);
    if (matches.length !== 1)
      throw new ValidationError(
        matches.length === 0
          ? 'No pupil on the roll has that UPN, id or name.'
          : 'More than one pupil matches: give the UPN.',
        'student',
      );
    const student = matches[0]!;
    const linked = await this.concerns.transaction(async (tx) => {
      if (!(await this.concerns.linkStudentIn(tx, c.id, student.id))) return false;
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: actor?.staffId ?? null,
        actorKind: actor ? 'staff' : 'admin-cli',
        action: 'concern.student_linked',
        subjectType: 'concern',
        subjectId: c.id,
        studentId: student.id,
        channel: via,
      });
      return true;
    });
    if (!linked)
      throw new ValidationError(`Concern ${concernRef(c.id)} is already linked to a pupil.`, 'ref');
    const after = (await this.concerns.byId(c.id)) ?? c;
    return {
      text: `Concern ${concernRef(c.id)} (${this.notOnRollLabelOf(c)}) is now linked to ${studentLabel(student)}.`,
      concern: after,
    };
  }

  /**
   * An imported incident's concern raised while its pupil was not matched on the roll, whose incident a
   * later import matched to `studentId` (the pupil put on the roll since): linked to that pupil, as the
   * import would have raised it, unless someone linked it already. Audited as the import's; everyone the
   * concern went to is told it is the same incident, now linked (no new alert: no new concern). Called by
   * the 'incident.imported' event and, when that event was lost, by the safeguarding sweep. True when it
   * was linked now.
   */
  async linkMatchedByImport(concernId: string, studentId: string): Promise<boolean> {
    const c = await this.concerns.byId(concernId);
    if (!c || c.studentId) return false;
    const student = await this.subjects.student(studentId);
    // Initials and year only, as every chat message about a pupil.
    const notice = message({
      kind: 'text',
      audience: 'private',
      title: `Concern ${concernRef(c.id)} (${this.notOnRollLabelOf(c)}) is now linked to ${student ? studentLabel(student) : 'the pupil'}`,
      text: `A later import matched its incident to this pupil on the roll: it is the same incident, so no new concern was raised. \`open-record\` or the board shows it with the pupil; if it is the wrong pupil, tell the safeguarding admin.`,
    });
    return this.concerns.transaction(async (tx) => {
      if (!(await this.concerns.linkStudentIn(tx, c.id, studentId))) return false;
      // The DSL (everyone the concern went to) is told it is the same incident, linked by the import.
      for (const s of await this.concerns.notifiedStaff(c.id, tx))
        await this.hub.outbox.enqueueIn(tx, {
          idempotencyKey: `concern:${c.id}:matched-by-import:${s}`,
          orgId: c.orgId,
          to: { staffId: s },
          priority: 0,
          message: notice,
        });
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: null,
        actorKind: 'import',
        action: 'concern.student_linked',
        subjectType: 'concern',
        subjectId: c.id,
        studentId,
        channel: 'SYSTEM',
        details: { matchedByImport: true },
      });
      return true;
    });
  }

  /**
   * A later import's version of a not-on-roll concern's incident (the export edited it): the actions it
   * now records replace the ones kept on the concern, as a stored incident's do (ConcernCore.actionsTaken);
   * the year group as given fills the concern's if it had none. Audited when something changed.
   */
  async importChanged(
    concernId: string,
    given: { actions: string | null; yearGroup: string | null },
  ): Promise<boolean> {
    const c = await this.concerns.byId(concernId);
    if (!c || c.source !== 'incident') return false;
    const held = await this.concerns.actionsEncOf(c.id);
    const before = held ? this.hub.cipher.decrypt(held, ACTIONS_CONTEXT) : '';
    const actions = given.actions?.trim() ?? '';
    const data: { actionsTakenEnc?: string | null; notOnRollYear?: string } = {};
    if (actions !== before.trim())
      data.actionsTakenEnc = actions ? this.hub.cipher.encrypt(actions, ACTIONS_CONTEXT) : null;
    if (!c.studentId && !c.notOnRollYear && given.yearGroup) data.notOnRollYear = given.yearGroup;
    if (Object.keys(data).length === 0) return false;
    await this.concerns.transaction(async (tx) => {
      await this.concerns.updateImportedIn(tx, c.id, data);
      await this.hub.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: null,
        actorKind: 'import',
        action: 'concern.import_updated',
        subjectType: 'concern',
        subjectId: c.id,
        studentId: c.studentId,
        channel: 'SYSTEM',
        details: { actions: 'actionsTakenEnc' in data, yearGroup: 'notOnRollYear' in data },
      });
    });
    return true;
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
}
