/** Import runs (the report of one file) and their rejected rows. */
import type { Db } from './db.ts';

export interface ImportRunDto {
  id: string;
  orgId: string;
  kind: string;
  fileName: string;
  sha256: string | null;
  via: string;
  status: 'RUNNING' | 'COMPLETED' | 'REFUSED' | 'FAILED';
  message: string | null;
  rowsRead: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface RejectionDto {
  file: string;
  line: number;
  field: string;
  reason: string;
}

/** The columns of an import run, as every reader of runs returns them. */
export const runSelect = {
  id: true,
  orgId: true,
  kind: true,
  fileName: true,
  sha256: true,
  via: true,
  status: true,
  message: true,
  rowsRead: true,
  created: true,
  updated: true,
  unchanged: true,
  rejected: true,
  startedAt: true,
  finishedAt: true,
} as const;

export class ImportRepository {
  constructor(private readonly db: Db) {}

  async start(input: {
    orgId: string;
    kind: string;
    fileName: string;
    sha256: string;
    via: string;
    at: Date;
  }): Promise<string> {
    const { at, ...data } = input;
    const row = await this.db.importRun.create({ data: { ...data, startedAt: at }, select: { id: true } });
    return row.id;
  }

  async addRejections(runId: string, rejections: RejectionDto[]): Promise<void> {
    if (rejections.length === 0) return;
    await this.db.importRejection.createMany({ data: rejections.map((r) => ({ ...r, runId })) });
  }

  async finish(
    runId: string,
    result: {
      status: ImportRunDto['status'];
      message?: string | null;
      rowsRead: number;
      created: number;
      updated: number;
      unchanged: number;
      rejected: number;
      at: Date;
    },
  ): Promise<void> {
    const { at, ...rest } = result;
    await this.db.importRun.update({ where: { id: runId }, data: { ...rest, finishedAt: at } });
  }

  /** A run refused before anything was written: the report says why, in one line. */
  async refused(input: {
    orgId: string;
    kind: string;
    fileName: string;
    sha256: string | null;
    via: string;
    message: string;
    at: Date;
  }): Promise<string> {
    const row = await this.db.importRun.create({
      data: {
        orgId: input.orgId,
        kind: input.kind,
        fileName: input.fileName,
        sha256: input.sha256,
        via: input.via,
        status: 'REFUSED',
        message: input.message,
        startedAt: input.at,
        finishedAt: input.at,
      },
      select: { id: true },
    });
    return row.id;
  }

  async byId(id: string): Promise<ImportRunDto | null> {
    return (await this.db.importRun.findUnique({ where: { id }, select: runSelect })) as ImportRunDto | null;
  }

  async rejections(runId: string, limit = 1000): Promise<RejectionDto[]> {
    return this.db.importRejection.findMany({
      where: { runId },
      select: { file: true, line: true, field: true, reason: true },
      orderBy: { line: 'asc' },
      take: limit,
    });
  }

  async recent(orgId: string | null, limit = 20): Promise<ImportRunDto[]> {
    return (await this.db.importRun.findMany({
      where: orgId ? { orgId } : {},
      select: runSelect,
      orderBy: { startedAt: 'desc' },
      take: limit,
    })) as ImportRunDto[];
  }
}
