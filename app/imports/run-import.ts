/**
 * Runs one export import end to end: a dry pass over the whole file first (structure, header, truncation: a
 * file that is not what it claims is refused whole before anything is written), then batches in their own
 * transactions. Every run leaves an ImportRun report and an ImportRejection per bad row (file, line, field,
 * reason); a bad row never stops the good ones. Safeguarding incidents are announced after each commit with
 * the 'incident.imported' event (the safeguarding module subscribes; it also sweeps).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { classifyIncident } from '../../core/escalations/safeguarding-categories.ts';
import type { ExportKind } from '../../integrations/connector.ts';
import { connectors } from '../../integrations/exports/connectors.ts';
import { FileRefusedError, RowRejectedError } from '../../integrations/exports/errors.ts';
import { fileChunks } from '../../integrations/exports/file-chunks.ts';
import { loadHeaderMapFile } from '../../integrations/exports/header-map.ts';
import type { Rejection } from '../../integrations/exports/parse-export.ts';
import { countExport, type ExportSource, readExport } from '../../integrations/exports/read-export.ts';
import { ImportRepository, type ImportRunDto } from '../../store/import-repository.ts';
import { type ImportConcernRowDto, ImportConcernRows } from '../../store/incident-import-repository.ts';
import { importsConfig } from '../config/imports.ts';
import { loadSafeguardingCategories, safeguardingConfig } from '../config/safeguarding.ts';
import type { Hub } from '../container.ts';
import { applierFor } from './appliers.ts';
import { UnlistedCategories } from './unlisted-categories.ts';

export interface RunImportInput {
  orgId: string;
  kind: ExportKind;
  source: ExportSource;
  /** "cli" | "drop-folder" | "pull" | "test" */
  via: string;
  batchSize?: number;
  /** Students: move a student whose UPN matches to the row's new MIS id (`--rekey`, docs/imports.md). */
  rekey?: boolean;
  onProgress?: (done: number, total: number) => void;
}

async function sha256Of(source: ExportSource): Promise<string> {
  const h = createHash('sha256');
  if ('bytes' in source) return h.update(source.bytes).digest('hex');
  // One reused buffer (file-chunks.ts): the hash copies each chunk in.
  for await (const chunk of fileChunks(source.path)) h.update(chunk);
  return h.digest('hex');
}

/**
 * @example const run = await runImport(hub, { orgId, kind: 'cpoms', source: { name: 'cpoms.csv', path }, via: 'cli' })
 */
export async function runImport(hub: Hub, input: RunImportInput): Promise<ImportRunDto> {
  const cfg = importsConfig(hub.config.raw);
  const repo = new ImportRepository(hub.dbh.db);
  const connector = connectors[input.kind];
  const fileName = path.basename(input.source.name);
  const source = { ...input.source, name: fileName } as ExportSource;
  const zone = hub.config.env.TIME_ZONE;
  const readOpts = {
    headerMap: loadHeaderMapFile(cfg.IMPORT_HEADER_MAP_FILE)[input.kind],
    maxRows: cfg.IMPORT_MAX_ROWS,
    xlsxMaxBytes: cfg.IMPORT_XLSX_MAX_MB * 1048576,
    alternatives: Object.values(connectors),
  };

  let sha: string | null = null;
  let total = 0;
  let unknown: string[] = [];
  try {
    sha = await sha256Of(source);
    // Dry pass: nothing is written until the whole file has been read to the end without damage.
    total = await countExport(source, connector, {
      ...readOpts,
      onHeader: (h) => {
        unknown = h.unknown;
      },
    });
  } catch (err) {
    if (!(err instanceof FileRefusedError)) throw err;
    const id = await repo.refused({
      orgId: input.orgId,
      kind: input.kind,
      fileName,
      sha256: sha,
      via: input.via,
      message: err.message,
      at: hub.clock.now(),
    });
    hub.log.warn({ runId: id, kind: input.kind, via: input.via }, 'import refused');
    await hub.audit.record({
      orgId: input.orgId,
      actorKind: 'import',
      action: 'import.refused',
      subjectType: 'import',
      subjectId: id,
      channel: 'SYSTEM',
      details: { kind: input.kind, via: input.via },
    });
    return (await repo.byId(id)) as ImportRunDto;
  }

  const runId = await repo.start({
    orgId: input.orgId,
    kind: input.kind,
    fileName,
    sha256: sha,
    via: input.via,
    at: hub.clock.now(),
  });
  // The organisation's explicit safeguarding category list (docs/imports.md), never substrings.
  const policy = loadSafeguardingCategories(safeguardingConfig(hub.config)).policyFor(
    (await hub.orgs.byId(input.orgId)) ?? { id: input.orgId, name: '' },
  );
  // classifyIncident is pure: each distinct category list of the file is judged once (an export repeats a
  // few dozen), not on every row (issue 18).
  const judged = new Map<string, ReturnType<typeof classifyIncident>>();
  // The categories of the rows that raised nothing, named in the report (audit finding 9).
  const unlisted = new UnlistedCategories();
  const classify = (cats: string[]) => {
    const key = JSON.stringify(cats);
    let hit = judged.get(key);
    if (hit === undefined) {
      hit = classifyIncident(policy, cats);
      if (judged.size < 10_000) judged.set(key, hit);
    }
    if (hit === null) unlisted.note(key);
    return hit;
  };
  const applier = await applierFor(input.kind, hub, input.orgId, classify, total, {
    rekey: input.rekey,
    runId,
    via: input.via,
  });
  const concernRows = new ImportConcernRows(hub.dbh.db);
  const counts = { rowsRead: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 };
  const batchSize = input.batchSize ?? applier.batchSize ?? 1000;
  let batch: { line: number; row: unknown }[] = [];
  let rejections: Rejection[] = [];

  // The lines of the batch being written, for the report when it fails.
  let firstLine = 0;
  let lastLine = 0;
  const flush = async () => {
    if (batch.length === 0 && rejections.length === 0) return;
    const report = { runId, file: fileName, rejections };
    const res = applier.writesReport
      ? await applier.apply(batch, report)
      : batch.length
        ? await applier.apply(batch)
        : { outcomes: [], rejections: [], incidents: [] };
    for (const o of res.outcomes) counts[o]++;
    const all = [...rejections, ...res.rejections];
    counts.rejected += all.length;
    if (!applier.writesReport) {
      await repo.addRejections(
        runId,
        all.map((r) => ({ file: fileName, ...r })),
      );
      await concernRows.record(
        runId,
        res.incidents.map((i) => ({ line: i.line, category: i.category, incidentId: i.incidentId })),
      );
    }
    for (const { line: _l, category: _c, ...i } of res.incidents)
      await hub.events.emit('incident.imported', { orgId: input.orgId, ...i });
    for (const rowId of res.unmatched ?? [])
      await hub.events.emit('incident.unmatched', { orgId: input.orgId, rowId });
    batch = [];
    rejections = [];
    firstLine = 0;
    input.onProgress?.(counts.rowsRead, total);
  };

  try {
    // A file bigger than one batch, for an applier with file-wide checks: read once more before anything
    // is written (rows only, not kept; a row the connector rejects is left to the import pass).
    if (applier.prescan && total > batchSize)
      for await (const rec of readExport(source, connector, readOpts)) {
        let row: unknown;
        try {
          row = connector.toRow(rec.record, { zone });
        } catch (err) {
          if (!(err instanceof RowRejectedError)) throw err;
          continue;
        }
        applier.prescan(rec.line, row);
      }
    for await (const rec of readExport(source, connector, readOpts)) {
      counts.rowsRead++;
      if (firstLine === 0) firstLine = rec.line;
      lastLine = rec.line;
      try {
        batch.push({ line: rec.line, row: connector.toRow(rec.record, { zone }) });
      } catch (err) {
        if (!(err instanceof RowRejectedError)) throw err;
        rejections.push({ line: rec.line, field: err.field, reason: err.reason });
      }
      if (batch.length + rejections.length >= batchSize) await flush();
    }
    await flush();
    await applier.finish?.();
  } catch (err) {
    // A database or driver message can quote the row it failed on: the report keeps only its code.
    const message =
      err instanceof FileRefusedError
        ? err.message
        : firstLine && applier.writesReport
          ? `${fileName}: import failed in the batch of lines ${firstLine}-${lastLine} (${errorCode(err)}): nothing of that batch was written; the batches before it are saved, the rows after it were not read`
          : `${fileName}: import failed after ${counts.rowsRead} row(s) (${errorCode(err)}); the batches before it are saved`;
    await repo.finish(runId, { status: 'FAILED', message, ...counts, at: hub.clock.now() });
    hub.log.error({ runId, kind: input.kind, err: (err as Error).name }, 'import failed');
    throw err;
  }
  // One note a line: the ignored columns, the categories treated as behaviour (web/pages/admin/imports-view.ts).
  const notes = [
    unknown.length ? `ignored columns: ${unknown.join(', ').slice(0, 500)}` : null,
    unlisted.line(),
    ...(applier.notes?.() ?? []),
  ].filter((x) => x !== null);
  const message = notes.length ? notes.join('\n') : null;
  await repo.finish(runId, { status: 'COMPLETED', message, ...counts, at: hub.clock.now() });
  // The metrics module (when on) counts rows by source and result; labels carry no personal data.
  const metrics = hub.services.get('metrics') as
    | { importRows?: { inc(labels: { source: string; result: string }, n: number): void } }
    | undefined;
  metrics?.importRows?.inc({ source: input.kind, result: 'accepted' }, counts.rowsRead - counts.rejected);
  metrics?.importRows?.inc({ source: input.kind, result: 'rejected' }, counts.rejected);
  hub.log.info({ runId, kind: input.kind, via: input.via, ...counts }, 'import completed');
  await hub.audit.record({
    orgId: input.orgId,
    actorKind: 'import',
    action: 'import.completed',
    subjectType: 'import',
    subjectId: runId,
    channel: 'SYSTEM',
    details: { kind: input.kind, via: input.via, ...counts },
  });
  await hub.events.emit('records.imported', { orgId: input.orgId, kind: input.kind, runId });
  return (await repo.byId(runId)) as ImportRunDto;
}

/** A coded name for an unexpected error (Prisma's P-code, a driver's code, or the class), never its text. */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string' && /^[A-Z0-9_]{2,40}$/i.test(e.code)) return e.code;
  return typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name) ? e.name : 'Error';
}

/** The report as text lines (CLI and chat). Reasons never contain names or incident text. */
export function formatReport(
  run: ImportRunDto,
  rejections: { line: number; field: string; reason: string; file: string }[],
  safeguarding?: { rows: ImportConcernRowDto[]; total: number },
): string {
  const lines = [
    `Import ${run.id}: ${run.kind} from ${run.fileName} (${run.via}) - ${run.status}`,
    `rows read ${run.rowsRead}, created ${run.created}, updated ${run.updated}, unchanged ${run.unchanged}, rejected ${run.rejected}`,
  ];
  if (run.message) lines.push(run.message);
  for (const r of rejections) lines.push(`  ${r.file} line ${r.line}, ${r.field}: ${r.reason}`);
  if (run.rejected > rejections.length) lines.push(`  … and ${run.rejected - rejections.length} more`);
  if (safeguarding) lines.push(...formatConcernRows(run, safeguarding));
  return lines.join('\n');
}

/**
 * The rows whose incident is in a safeguarding category: line, category and the concern's reference (never
 * a name or the incident text).
 */
/**
 * What the report adds after a row's concern: whether the pupil was matched, and when the concern was
 * raised the other way by an earlier import (one incident, one concern), the pupils by initials and year
 * only (never a name).
 */
function concernNote(r: ImportConcernRowDto): string {
  const pupil = (label: string | null) => label ?? 'a pupil';
  if (!r.notOnRoll) {
    if (!r.otherWay) return '';
    const elsewhere = r.linkedElsewhere
      ? `; it is linked to another pupil, ${pupil(r.linkedTo)}: the DSL checks which`
      : '';
    return ` (already raised; now matched to ${pupil(r.matchedTo)}${elsewhere})`;
  }
  if (r.otherWay)
    return ` (already raised for the incident matched to ${pupil(r.matchedTo)}; the pupil is not matched on the roll now)`;
  if (r.linkedTo) return ` (already raised; pupil not matched on the roll, linked to ${r.linkedTo})`;
  return ' (pupil not matched on the roll: the DSL links the record)';
}

export function formatConcernRows(
  run: { fileName: string },
  s: { rows: ImportConcernRowDto[]; total: number },
): string[] {
  if (s.total === 0) return ['no new or changed row is in a safeguarding category: no concern raised'];
  const lines = [
    `${s.total} row${s.total === 1 ? '' : 's'} in a safeguarding category (a concern for the DSL):`,
  ];
  for (const r of s.rows) {
    const concern = r.concernId
      ? `concern ${concernRef(r.concernId)}${concernNote(r)}`
      : `no concern yet (${r.notOnRoll ? 'pupil not matched on the roll; ' : ''}older than SAFEGUARDING_IMPORT_LOOKBACK_DAYS, or waiting for the hub)`;
    lines.push(`  ${run.fileName} line ${r.line}: ${r.category} -> ${concern}`);
  }
  if (s.total > s.rows.length) lines.push(`  … and ${s.total - s.rows.length} more`);
  return lines;
}

/** The safeguarding rows of an incident import (for formatReport); undefined for other kinds. */
export async function safeguardingRowsOf(
  hub: Hub,
  run: ImportRunDto,
  limit = 200,
): Promise<{ rows: ImportConcernRowDto[]; total: number } | undefined> {
  if (run.kind !== 'cpoms' && run.kind !== 'arbor-behaviour') return undefined;
  if (run.status === 'REFUSED') return undefined;
  return new ImportConcernRows(hub.dbh.db).forRun(run.id, limit);
}
