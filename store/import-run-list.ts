/**
 * Import runs for the admin web page (issue 17): one organisation's runs, newest first, a page at a time,
 * and the latest successful run of each kind (the health page's "connectors' last success"). Reads only the
 * report columns (ImportRun and ImportRejection hold no cell values: file, line, field, reason).
 */
import type { Db } from './db.ts';
import { type ImportRunDto, type RejectionDto, runSelect } from './import-repository.ts';

export class ImportRunList {
  constructor(private readonly db: Db) {}

  /** One page of an organisation's runs, newest first, and how many there are in all. */
  async page(orgId: string, page: number, perPage: number): Promise<{ runs: ImportRunDto[]; total: number }> {
    const [runs, total] = await Promise.all([
      this.db.importRun.findMany({
        where: { orgId },
        select: runSelect,
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        skip: Math.max(0, page - 1) * perPage,
        take: perPage,
      }),
      this.db.importRun.count({ where: { orgId } }),
    ]);
    return { runs: runs as ImportRunDto[], total };
  }

  /** A run of this organisation (null for another organisation's run: the page answers 404). */
  async inOrg(orgId: string, id: string): Promise<ImportRunDto | null> {
    return (await this.db.importRun.findFirst({
      where: { id, orgId },
      select: runSelect,
    })) as ImportRunDto | null;
  }

  /** The rejected rows of a run, by line (file, line, field, reason: never the cell's value). */
  async rejections(runId: string, limit: number): Promise<RejectionDto[]> {
    return this.db.importRejection.findMany({
      where: { runId },
      select: { file: true, line: true, field: true, reason: true },
      orderBy: [{ line: 'asc' }, { id: 'asc' }],
      take: limit,
    });
  }

  /** When each kind of import last completed for this organisation (index orgId, startedAt). */
  async lastCompletedByKind(orgId: string): Promise<{ kind: string; at: Date }[]> {
    const rows = await this.db.importRun.groupBy({
      by: ['kind'],
      where: { orgId, status: 'COMPLETED' },
      _max: { finishedAt: true },
    });
    return rows
      .filter((r) => r._max.finishedAt)
      .map((r) => ({ kind: r.kind, at: r._max.finishedAt as Date }))
      .sort((a, b) => a.kind.localeCompare(b.kind));
  }

  /** The latest run that did not complete (refused or failed), if it is newer than the last success. */
  async lastFailure(orgId: string): Promise<{ kind: string; at: Date; status: string } | null> {
    const r = await this.db.importRun.findFirst({
      where: { orgId, status: { in: ['REFUSED', 'FAILED'] } },
      orderBy: { startedAt: 'desc' },
      select: { kind: true, startedAt: true, status: true },
    });
    return r ? { kind: r.kind, at: r.startedAt, status: r.status } : null;
  }
}
