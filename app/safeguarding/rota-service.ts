/**
 * Changing the safeguarding rota: one service for every channel (chat `rota add|remove`, the admin web page),
 * so each change is checked the same way (core/escalations/rota-change.ts: never leave the organisation
 * without a DSL for school hours, no duplicate entry) and audited in the same transaction as the write.
 */
import { canAdminister, require } from '../../core/access/policy.ts';
import { levelLabel } from '../../core/escalations/escalation-ladder.ts';
import type { RotaEntry } from '../../core/escalations/rota.ts';
import {
  isDuplicate,
  moveEntry,
  type RotaProblem,
  rotaEntryKey,
  rotaProblem,
} from '../../core/escalations/rota-change.ts';
import type { Actor, AuditEventInput } from '../../core/ports.ts';
import type { Hub } from '../container.ts';
import type { ConcernService } from './concern-service.ts';
import { rotaEntryInputSchema } from './rota-file.ts';

/** The fields of an add, as typed (chat words or form fields); checked by rotaEntryInputSchema. */
export interface RotaAddInput {
  level?: string;
  email?: string;
  rank?: string | number;
  window?: string;
  from?: string;
  to?: string;
}

/** Where a change came from: a chat platform or the web page (the audit's channel). */
export type RotaVia = NonNullable<AuditEventInput['channel']>;

export type RotaProblemField = RotaProblem['field'] | 'email' | 'rank' | 'window' | 'from' | 'to';
export type RotaChange =
  | { ok: true; text: string }
  | { ok: false; problems: { field: RotaProblemField; message: string }[] };

const refused = (field: RotaProblemField, message: string): RotaChange => ({
  ok: false,
  problems: [{ field, message }],
});

export class RotaAdmin {
  constructor(
    private readonly hub: Hub,
    private readonly service: ConcernService,
  ) {}

  private async change(
    actor: Actor,
    via: RotaVia,
    action: string,
    details: Record<string, unknown>,
    write: (entries: RotaEntry[]) => RotaEntry[] | RotaChange,
  ): Promise<RotaChange | null> {
    return this.service.concerns.transaction(async (tx) => {
      const before = await this.service.rota.list(actor.orgId, tx);
      const after = write(before);
      if (!Array.isArray(after)) return after;
      const problem = rotaProblem(after);
      if (problem) return refused(problem.field, problem.message);
      await this.service.rota.replaceIn(tx, actor.orgId, after);
      await this.hub.audit.recordIn(tx, {
        orgId: actor.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action,
        subjectType: 'rota',
        subjectId: actor.orgId,
        channel: via,
        details,
      });
      return null;
    });
  }

  /** Add a person at a level (rank, window and cover period optional). */
  async add(actor: Actor, input: RotaAddInput, via: RotaVia): Promise<RotaChange> {
    require(canAdminister(actor, actor.orgId), 'change the safeguarding rota');
    const rank = input.rank === undefined || input.rank === '' ? undefined : Number(input.rank);
    const parsed = rotaEntryInputSchema.safeParse({
      ...input,
      rank,
      window: input.window || undefined,
      from: input.from || undefined,
      to: input.to || undefined,
    });
    if (!parsed.success)
      return {
        ok: false,
        problems: parsed.error.issues.map((i) => ({
          field: String(i.path[0] ?? 'entry') as RotaProblemField,
          message: `${String(i.path[0] ?? 'entry')}: ${i.message}`,
        })),
      };
    const staff = await this.hub.staff.byEmail(parsed.data.email, actor.orgId);
    if (!staff) return refused('email', `No active member of staff has the email ${parsed.data.email}.`);
    const entry: RotaEntry = {
      staffId: staff.id,
      level: parsed.data.level,
      rank: parsed.data.rank,
      window: parsed.data.window,
      validFrom: parsed.data.from ?? null,
      validTo: parsed.data.to ?? null,
    };
    const r = await this.change(actor, via, 'rota.entry_added', { ...entry }, (before) =>
      isDuplicate(before, entry)
        ? refused('email', `${staff.displayName} is already on the rota as ${levelLabel[entry.level]} there.`)
        : [...before, entry],
    );
    return (
      r ?? {
        ok: true,
        text: `Added ${staff.displayName} as ${levelLabel[entry.level]} (rank ${entry.rank}, ${entry.window.toLowerCase()}).`,
      }
    );
  }

  /** Remove a person's entries (at one level, or all): the chat's `rota remove <email> [level]`. */
  async removeByEmail(
    actor: Actor,
    email: string,
    level: string | undefined,
    via: RotaVia,
  ): Promise<RotaChange> {
    require(canAdminister(actor, actor.orgId), 'change the safeguarding rota');
    const staff = email ? await this.hub.staff.byEmail(email, actor.orgId) : null;
    if (!staff) return refused('email', `No active member of staff has the email ${email}.`);
    const lv = level ? rotaEntryInputSchema.shape.level.safeParse(level) : undefined;
    const at = lv?.success ? lv.data : null;
    let removed = 0;
    const r = await this.change(
      actor,
      via,
      'rota.entry_removed',
      { staffId: staff.id, level: at },
      (before) => {
        const after = before.filter((e) => !(e.staffId === staff.id && (at === null || e.level === at)));
        removed = before.length - after.length;
        return after;
      },
    );
    return (
      r ?? {
        ok: true,
        text: `Removed ${removed} rota entr${removed === 1 ? 'y' : 'ies'} for ${staff.displayName}.`,
      }
    );
  }

  /** Remove one entry by its key (rota-change.ts `rotaEntryKey`): the web page's Remove button. */
  async removeEntry(actor: Actor, key: string, via: RotaVia): Promise<RotaChange> {
    require(canAdminister(actor, actor.orgId), 'change the safeguarding rota');
    let gone: RotaEntry | undefined;
    const r = await this.change(actor, via, 'rota.entry_removed', { key }, (before) => {
      gone = before.find((e) => rotaEntryKey(e) === key);
      if (!gone)
        return refused('entry', 'That rota entry is no longer there: the rota was changed meanwhile.');
      return before.filter((e) => e !== gone);
    });
    if (r) return r;
    const who = gone ? ((await this.hub.staff.byId(gone.staffId))?.displayName ?? 'the entry') : 'the entry';
    return { ok: true, text: `Removed ${who} (${gone ? levelLabel[gone.level] : ''}) from the rota.` };
  }

  /** Move one entry up or down within its level (same window and cover period). */
  async move(actor: Actor, key: string, by: -1 | 1, via: RotaVia): Promise<RotaChange> {
    require(canAdminister(actor, actor.orgId), 'change the safeguarding rota');
    const r = await this.change(actor, via, 'rota.entry_moved', { key, by }, (before) => {
      const after = moveEntry(before, key, by);
      return (
        after ??
        refused(
          'entry',
          by < 0 ? 'That entry is already first in its level.' : 'That entry is already last in its level.',
        )
      );
    });
    return r ?? { ok: true, text: by < 0 ? 'Moved up the rota.' : 'Moved down the rota.' };
  }
}
