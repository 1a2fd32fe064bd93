/**
 * The pure parse entry point (no database, no clock): bytes in, typed rows and rejections out. Importers
 * and fuzzers call this; it never throws for a bad row, only FileRefusedError for a bad file.
 */
import type { ExportKind } from '../connector.ts';
import { connectors } from './connectors.ts';
import { RowRejectedError } from './errors.ts';
import { type ReadOptions, readExport } from './read-export.ts';

export interface Rejection {
  line: number;
  field: string;
  reason: string;
}

export interface ParsedExport<Row = unknown> {
  rows: { line: number; row: Row }[];
  rejections: Rejection[];
  unknownHeaders: string[];
}

/** @example const { rows, rejections } = await parseExport('cpoms', fs.readFileSync('cpoms.csv')) */
export async function parseExport(
  kind: ExportKind,
  bytes: Uint8Array,
  opts: ReadOptions & { fileName?: string; zone?: string } = {},
): Promise<ParsedExport> {
  const connector = connectors[kind];
  const out: ParsedExport = { rows: [], rejections: [], unknownHeaders: [] };
  const source = { name: opts.fileName ?? `${kind} export`, bytes };
  for await (const rec of readExport(source, connector, {
    alternatives: Object.values(connectors),
    ...opts,
    onHeader: (h) => {
      out.unknownHeaders = h.unknown;
      opts.onHeader?.(h);
    },
  })) {
    try {
      out.rows.push({
        line: rec.line,
        row: connector.toRow(rec.record, { zone: opts.zone ?? 'Europe/London' }),
      });
    } catch (err) {
      if (!(err instanceof RowRejectedError)) throw err;
      out.rejections.push({ line: rec.line, field: err.field, reason: err.reason });
    }
  }
  return out;
}
