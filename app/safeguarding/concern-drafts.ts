/**
 * Concern drafts (issue 13, "no concern is ever lost"): a concern form its raiser could not complete
 * (cancelled, given up after five tries, refused by an error) is kept with the answers so far, encrypted
 * (ConcernDraft.valuesEnc), for that person alone. Nothing in a draft has been sent to anyone; the raiser
 * is told where it is: `concern drafts` lists them, `concern resume <n>` opens the form with the answers
 * filled in (sent, the draft is deleted), `concern discard <n>` deletes one. Audited without content.
 */
import { NotFoundError } from '../../core/errors.ts';
import type { FormSpec } from '../../core/forms/form-spec.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';
import type { ConcernDraftRepository, ConcernDraftRow } from '../../store/concern-draft-repository.ts';
import type { Hub } from '../container.ts';
import { concernFormSpec, DRAFT } from './concern-form.ts';

export const DRAFT_CONTEXT = 'ConcernDraft.valuesEnc';

const REASONS: Record<string, string> = {
  cancelled: 'cancelled',
  abandoned: 'not finished',
  failed: 'could not be sent',
};

export class ConcernDrafts {
  constructor(
    private readonly hub: Hub,
    private readonly repo: ConcernDraftRepository,
  ) {}

  private fmt(d: Date): string {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: this.hub.config.env.TIME_ZONE,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(d);
  }

  /** Keep the answers so far; the reply says where they are (and that nothing was sent). */
  async keep(
    actor: Actor,
    values: Record<string, string>,
    reason: string,
    draftId?: string,
  ): Promise<string> {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v.trim()) kept[k] = v;
    const row = await this.repo.save(
      actor.orgId,
      actor.staffId,
      this.hub.cipher.encryptJson(kept, DRAFT_CONTEXT),
      reason,
      this.hub.clock.now(),
      draftId,
    );
    await this.hub.audit.record({
      orgId: actor.orgId,
      actorId: actor.staffId,
      actorKind: 'staff',
      action: 'concern.draft_kept',
      subjectType: 'concern_draft',
      subjectId: row.id,
      details: { reason },
    });
    const n = (await this.repo.forStaff(actor.orgId, actor.staffId)).findIndex((d) => d.id === row.id) + 1;
    return (
      `Your answers are kept as draft ${n} (encrypted; only you can see it; nothing was sent). ` +
      `Type \`concern resume ${n}\` to finish and send it, \`concern discard ${n}\` to delete it, \`concern drafts\` to list your drafts.`
    );
  }

  private async nth(actor: Actor, raw: string): Promise<{ n: number; row: ConcernDraftRow }> {
    const list = await this.repo.forStaff(actor.orgId, actor.staffId);
    const n = raw.trim() ? Number(raw.trim()) : list.length;
    const row = Number.isInteger(n) ? list[n - 1] : undefined;
    if (!row) throw new NotFoundError('Draft', raw.trim() || 'latest');
    return { n, row };
  }

  /** The raiser's own drafts: when, why, and the initials of the pupil as typed (no content). */
  async list(actor: Actor): Promise<OutgoingMessage> {
    const list = await this.repo.forStaff(actor.orgId, actor.staffId);
    if (list.length === 0)
      return message({ kind: 'text', audience: 'private', title: 'You have no concern drafts.' });
    return message({
      kind: 'text',
      audience: 'private',
      title: `Your concern drafts (${list.length}): not sent to anyone`,
      text: list
        .map((d, i) => `${i + 1}. started ${this.fmt(d.createdAt)}, ${REASONS[d.reason] ?? d.reason}`)
        .concat('Type `concern resume <n>` to finish and send one, `concern discard <n>` to delete one.')
        .join('\n'),
    });
  }

  /** The concern form with a draft's answers filled in; sent, the draft is deleted. */
  async resume(actor: Actor, raw: string): Promise<FormSpec> {
    const { row } = await this.nth(actor, raw);
    const values = this.hub.cipher.decryptJson<Record<string, string>>(row.valuesEnc, DRAFT_CONTEXT);
    return concernFormSpec({ [DRAFT]: row.id }, values);
  }

  async discard(actor: Actor, raw: string): Promise<OutgoingMessage> {
    const { n, row } = await this.nth(actor, raw);
    await this.repo.remove(actor.orgId, actor.staffId, row.id);
    await this.hub.audit.record({
      orgId: actor.orgId,
      actorId: actor.staffId,
      actorKind: 'staff',
      action: 'concern.draft_discarded',
      subjectType: 'concern_draft',
      subjectId: row.id,
    });
    return message({ kind: 'text', audience: 'private', title: `Draft ${n} deleted. Nothing was sent.` });
  }

  /** A resumed draft was sent as a concern: it is no longer a draft. */
  async sent(actor: Actor, id: string): Promise<void> {
    await this.repo.remove(actor.orgId, actor.staffId, id);
  }
}
