/**
 * Concern drafts (issue 13): the answers of a concern form its raiser could not complete (cancelled, given
 * up after errors, refused by an error), kept encrypted for that person alone until resumed or discarded.
 * Nothing in a draft has been sent to anyone. The caller encrypts (context ConcernDraft.valuesEnc).
 */
import type { Db } from './db.ts';

export interface ConcernDraftRow {
  id: string;
  orgId: string;
  staffId: string;
  valuesEnc: string;
  reason: string;
  createdAt: Date;
  updatedAt: Date;
}

export class ConcernDraftRepository {
  constructor(private readonly db: Db) {}

  /** Keep a draft; with `id` (a resumed draft kept again), replace that one's answers. */
  async save(
    orgId: string,
    staffId: string,
    valuesEnc: string,
    reason: string,
    at: Date,
    id?: string,
  ): Promise<ConcernDraftRow> {
    if (id) {
      const r = await this.db.concernDraft.updateMany({
        where: { id, orgId, staffId },
        data: { valuesEnc, reason },
      });
      if (r.count === 1) return (await this.db.concernDraft.findUnique({ where: { id } })) as ConcernDraftRow;
    }
    return this.db.concernDraft.create({ data: { orgId, staffId, valuesEnc, reason, createdAt: at } });
  }

  /** One person's drafts, oldest first (the list `concern drafts` numbers). */
  async forStaff(orgId: string, staffId: string): Promise<ConcernDraftRow[]> {
    return this.db.concernDraft.findMany({
      where: { orgId, staffId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Delete one of a person's drafts (resumed and sent, or discarded); false if it was not theirs. */
  async remove(orgId: string, staffId: string, id: string): Promise<boolean> {
    const r = await this.db.concernDraft.deleteMany({ where: { id, orgId, staffId } });
    return r.count === 1;
  }
}
