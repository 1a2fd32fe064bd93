/**
 * Concern intake (issue 7): store a concern and send its first step; a chat form submitted twice
 * answers as it did the first time; the optional content-free notice in a shared channel.
 *
 * The concern, its audit event and its first step's messages commit in ONE transaction, before the
 * raiser is told who it went to.
 */
import { NotFoundError } from '../../core/errors.ts';
import type { ConcernDto } from '../../core/escalations/concern.ts';
import { type ConcernSummary, channelNotice } from '../../core/escalations/concern-messages.ts';
import type { Platform } from '../../core/ports.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { ACTIONS_CONTEXT, type RaiseInput, type RaiseResult, TEXT_CONTEXT } from './concern-core.ts';
import { ConcernLadder } from './concern-ladder.ts';

export class ConcernIntake extends ConcernLadder {
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
}
