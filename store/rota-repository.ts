/** The DSL rota per organisation (DSL, deputies by rank, head; windows; holiday cover periods). */
import type { RotaEntry } from '../core/escalations/rota.ts';
import type { Db, Tx } from './db.ts';

const rotaSelect = {
  staffId: true,
  level: true,
  rank: true,
  window: true,
  validFrom: true,
  validTo: true,
} as const;

export class RotaRepository {
  constructor(private readonly db: Db) {}

  async list(orgId: string, tx: Tx = this.db): Promise<RotaEntry[]> {
    const rows = await tx.rotaEntry.findMany({
      where: { orgId },
      orderBy: [{ level: 'asc' }, { rank: 'asc' }],
      select: rotaSelect,
    });
    return rows as RotaEntry[];
  }

  /** Replace the whole rota of an organisation (a config file load). */
  async replaceIn(tx: Tx, orgId: string, entries: RotaEntry[]): Promise<void> {
    await tx.rotaEntry.deleteMany({ where: { orgId } });
    for (const e of entries) await tx.rotaEntry.create({ data: { orgId, ...e } });
  }

  async addIn(tx: Tx, orgId: string, e: RotaEntry): Promise<void> {
    await tx.rotaEntry.create({ data: { orgId, ...e } });
  }

  /** Remove a person's entries (at one level, or all). Returns how many were removed. */
  async removeIn(tx: Tx, orgId: string, staffId: string, level?: string): Promise<number> {
    const r = await tx.rotaEntry.deleteMany({
      where: { orgId, staffId, ...(level ? { level: level as RotaEntry['level'] } : {}) },
    });
    return r.count;
  }
}
