/**
 * Streams the records of a CSV or XLSX export, mapped to a connector's canonical fields, without loading the
 * file into memory: bytes -> sniff (refuse binaries) -> decode (UTF-8 with/without BOM, UTF-16LE, Windows-1252)
 * -> line ends normalised -> csv-parse (quoted commas and newlines) or exceljs's streaming reader -> header
 * mapping. Structural damage (a quote left open at the end, a cut-short last row, a broken zip) throws
 * FileRefusedError; the importer runs this once as a dry pass before writing anything.
 */
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { ExportConnector } from '../connector.ts';
import { csvDelimiter, csvShape } from './csv-count.ts';
import { FileRefusedError } from './errors.ts';
import { resolveHeaders } from './header-map.ts';
import { SNIFF_BYTES, type Sniffed, sniffBytes } from './sniff.ts';
import { checkXlsxZip } from './zip-bounds.ts';

export type ExportSource = { name: string; path: string } | { name: string; bytes: Uint8Array };

export interface ReadOptions {
  /** Admin header map for this kind: header text -> canonical field. */
  headerMap?: Record<string, string>;
  maxRows?: number;
  xlsxMaxBytes?: number;
  /** Other connectors, to say "this looks like a … export" when the header does not fit. */
  alternatives?: ExportConnector[];
  /** Told once, after the header row: unknown columns (ignored) and the format. */
  onHeader?: (info: { unknown: string[]; sniffed: Sniffed }) => void;
}

export interface ExportRecord {
  /** 1-based line (CSV) or row number (XLSX) where the record starts. */
  line: number;
  record: Record<string, string>;
}

interface Cells {
  line: number;
  cells: string[];
}

async function head(source: ExportSource): Promise<Uint8Array> {
  if ('bytes' in source) return source.bytes.subarray(0, SNIFF_BYTES);
  const fh = await fs.promises.open(source.path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const byteStream = (source: ExportSource): Readable =>
  'bytes' in source
    ? Readable.from([Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength)])
    : fs.createReadStream(source.path, { highWaterMark: 256 * 1024 });

/** CRLF and lone CR -> LF, so csv-parse counts lines right and cells keep plain newlines. */
class NormaliseLineEnds extends Transform {
  private pendingCr = false;
  lastChar = '';
  constructor() {
    super({ decodeStrings: false, encoding: 'utf8' });
  }
  override _transform(chunk: string, _enc: string, cb: (e?: Error | null, d?: string) => void): void {
    let s = (this.pendingCr ? '\r' : '') + String(chunk);
    this.pendingCr = s.endsWith('\r');
    if (this.pendingCr) s = s.slice(0, -1);
    const out = s.replace(/\r\n?/g, '\n');
    if (out) this.lastChar = out[out.length - 1] ?? '';
    cb(null, out);
  }
  override _flush(cb: (e?: Error | null, d?: string) => void): void {
    if (this.pendingCr) this.lastChar = '\n';
    cb(null, this.pendingCr ? '\n' : '');
  }
}

async function* csvCells(
  source: ExportSource,
  encoding: 'utf8' | 'utf16le' | 'win1252',
  sample: Uint8Array,
): AsyncGenerator<Cells> {
  const codec = encoding === 'win1252' ? 'win1252' : encoding;
  const normaliser = new NormaliseLineEnds();
  const parser = parse({
    delimiter: csvDelimiter(sample, encoding),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    trim: true,
    info: true,
    // A single field over 1 MB is not an export row (guards memory against a file with no line ends).
    max_record_size: 1_048_576,
  });
  const input = byteStream(source);
  const decoder = iconv.decodeStream(codec, { stripBOM: true });
  input.on('error', (e) => parser.destroy(e));
  decoder.on('error', (e) => parser.destroy(e));
  input.pipe(decoder).pipe(normaliser).pipe(parser);
  let held: (Cells & { width: number }) | null = null;
  let headerWidth = 0;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const cells: Cells & { width: number } = {
        line: r.info.lines - newlinesIn(r.record),
        cells: r.record,
        width: r.record.length,
      };
      if (headerWidth === 0) headerWidth = r.record.length;
      if (held) yield held;
      held = cells;
    }
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string; name?: string };
    if (e.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new FileRefusedError(
        source.name,
        'truncated: a quoted field is still open at the end of the file',
        { cause: err },
      );
    if (e.code?.startsWith('CSV_'))
      throw new FileRefusedError(source.name, `malformed CSV near line ${e.lines ?? '?'} (${e.code})`, {
        cause: err,
      });
    // Not e.message: a decoder or parser message can quote the bytes it choked on.
    throw new FileRefusedError(source.name, `could not be read (${e.code ?? e.name})`, { cause: err });
  } finally {
    // Read to the end, or left early (the dry pass takes only the header from here): the file is closed.
    input.destroy();
  }
  if (held) {
    // A last row cut short with no line end after it: the file was truncated in transit.
    if (held.width < headerWidth && normaliser.lastChar !== '\n' && headerWidth > 1)
      throw new FileRefusedError(source.name, `truncated: the last row (line ${held.line}) is cut short`);
    yield held;
  }
}

/** Line ends inside a record's cells (a quoted cell may span lines): the record starts that many lines up. */
function newlinesIn(cells: string[]): number {
  let n = 0;
  for (const c of cells) for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++;
  return n;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** exceljs cell value -> text; date cells as ISO wall-clock (exceljs gives the wall clock in UTC fields). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return '';
    const date = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    const hasTime = v.getUTCHours() || v.getUTCMinutes() || v.getUTCSeconds();
    return hasTime
      ? `${date}T${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`
      : date;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((t: { text?: string }) => t.text ?? '').join('');
    if ('result' in o) return cellText(o.result);
    if (typeof o.text === 'string') return o.text;
    if ('error' in o) return '';
  }
  return String(v);
}

async function* xlsxCells(source: ExportSource, maxBytes: number): AsyncGenerator<Cells> {
  if ('bytes' in source) {
    const b = source.bytes;
    await checkXlsxZip(b.length, async (o, l) => b.subarray(o, o + l), source.name, {
      maxUncompressedBytes: maxBytes,
    });
  } else {
    const fh = await fs.promises.open(source.path, 'r');
    try {
      const { size } = await fh.stat();
      await checkXlsxZip(
        size,
        async (o, l) => {
          const buf = Buffer.alloc(l);
          await fh.read(buf, 0, l, o);
          return buf;
        },
        source.name,
        { maxUncompressedBytes: maxBytes },
      );
    } finally {
      await fh.close();
    }
  }
  // Loaded only for an XLSX file: exceljs costs ~28 MB of memory that a CSV import does not need.
  const { default: Excel } = await import('exceljs');
  const input = byteStream(source);
  const reader = new Excel.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  // A damaged zip the checks above miss can leave exceljs waiting for bytes that never come: no progress
  // for XLSX_IDLE_MS refuses the file instead of hanging the import.
  const stalled = () => {
    input.destroy();
    return new FileRefusedError(
      source.name,
      `damaged XLSX (the reader made no progress for ${XLSX_IDLE_MS / 1000} s)`,
    );
  };
  try {
    const sheets = (reader as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const first = await nextWithin(sheets, XLSX_IDLE_MS, stalled);
    if (!first.done) {
      // The first worksheet is the export; others are notes or pivots.
      const rows = (first.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
      for (
        let r = await nextWithin(rows, XLSX_IDLE_MS, stalled);
        !r.done;
        r = await nextWithin(rows, XLSX_IDLE_MS, stalled)
      ) {
        const row = r.value;
        const values = (row.values as unknown[]).slice(1).map(cellText);
        const cells = values.map((s) => s.replace(/\r\n?/g, '\n').trim());
        if (cells.every((c) => c === '')) continue;
        yield { line: row.number, cells };
      }
    }
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
    // Not the reader's message: an XML or zip error can quote the cell text it stopped on.
    throw new FileRefusedError(source.name, 'damaged XLSX (the workbook XML could not be read)', {
      cause: err,
    });
  }
}

/** No progress from the XLSX reader for this long refuses the file (a damaged zip can stall it). */
const XLSX_IDLE_MS = 4_000;
/** A timer this late means the process was starved, not the reader stalled. */
const STARVED_MS = 250;

async function nextWithin<T>(
  it: AsyncIterator<T>,
  ms: number,
  onStall: () => Error,
): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<never>((_, reject) => {
    const arm = (rearms: number) => {
      const armedAt = performance.now();
      timer = setTimeout(() => {
        // The timer itself came late: this process was starved of CPU (a loaded machine), so the reader
        // had no chance to make progress either. Give it one more window before calling it stalled; a
        // reader truly waiting for bytes that never come leaves the process idle and its timer on time.
        const late = performance.now() - armedAt - ms;
        if (late > STARVED_MS && rearms > 0) arm(rearms - 1);
        else reject(onStall());
      }, ms);
    };
    arm(1);
  });
  try {
    return await Promise.race([it.next(), stall]);
  } finally {
    clearTimeout(timer);
  }
}

/** The file's cells, row by row, after sniffing its format (CSV or XLSX). */
async function cellsOf(
  source: ExportSource,
  opts: ReadOptions,
): Promise<{ cells: AsyncGenerator<Cells>; sniffed: Sniffed; sample: Uint8Array }> {
  const sample = await head(source);
  const sniffed = sniffBytes(sample, source.name);
  const cells =
    sniffed.format === 'xlsx'
      ? xlsxCells(source, opts.xlsxMaxBytes ?? 512 * 1048576)
      : csvCells(source, sniffed.encoding, sample);
  return { cells, sniffed, sample };
}

/** The header row's columns (canonical field or null, by position), or the file refused. */
function headerColumns(
  c: Cells,
  source: ExportSource,
  connector: ExportConnector,
  opts: ReadOptions,
  sniffed: Sniffed,
): (string | null)[] {
  const res = resolveHeaders(c.cells, connector, opts.headerMap);
  if (res.missing.length > 0) {
    const looksLike = (opts.alternatives ?? []).find(
      (alt) => alt.kind !== connector.kind && resolveHeaders(c.cells, alt).missing.length === 0,
    );
    // The first row may be data (an export saved without its header row): the reason names the
    // columns the hub recognised (its own field names), never the text of a cell.
    const known = res.columns.filter((f): f is string => f !== null);
    throw new FileRefusedError(
      source.name,
      `line ${c.line}: not a ${connector.label} export: missing column(s) ${res.missing.join(', ')}` +
        (looksLike ? `; it looks like an export of kind ${looksLike.kind}` : '') +
        ` (the first row has ${c.cells.length} cell(s); recognised: ${known.length ? known.join(', ') : 'none'}).` +
        ' Is the header row missing? Map headers in IMPORT_HEADER_MAP_FILE if they are named differently.',
    );
  }
  opts.onHeader?.({ unknown: res.unknown, sniffed });
  return res.columns;
}

const tooMany = (source: ExportSource, maxRows: number) =>
  new FileRefusedError(source.name, `more than ${maxRows} rows (IMPORT_MAX_ROWS)`);
const noHeader = (source: ExportSource) =>
  new FileRefusedError(source.name, 'no header row (the file has no data)');

/**
 * Records of `source` mapped to `connector`'s fields.
 * @example for await (const r of readExport({ name: 'x.csv', path }, cpomsConnector)) console.log(r.line)
 */
export async function* readExport(
  source: ExportSource,
  connector: ExportConnector,
  opts: ReadOptions = {},
): AsyncGenerator<ExportRecord> {
  const { cells, sniffed } = await cellsOf(source, opts);
  let columns: (string | null)[] | null = null;
  let rows = 0;
  const maxRows = opts.maxRows ?? 2_000_000;
  for await (const c of cells) {
    if (!columns) {
      columns = headerColumns(c, source, connector, opts, sniffed);
      continue;
    }
    if (++rows > maxRows) throw tooMany(source, maxRows);
    const record: Record<string, string> = {};
    for (let i = 0; i < columns.length; i++) {
      const f = columns[i];
      if (f) record[f] = (c.cells[i] ?? '').trim();
    }
    yield { line: c.line, record };
  }
  if (!columns) throw noHeader(source);
}

/**
 * The importer's dry pass: every check readExport makes (structure, truncation, header, IMPORT_MAX_ROWS),
 * the same errors, and the number of records it would yield, without building them (issue 18).
 */
export async function countExport(
  source: ExportSource,
  connector: ExportConnector,
  opts: ReadOptions = {},
): Promise<number> {
  const maxRows = opts.maxRows ?? 2_000_000;
  const first = await cellsOf(source, opts);
  if (first.sniffed.format === 'csv') {
    // The header row as csv-parse reads it (the same checks, refusals and onHeader), then the rest counted
    // by a byte scanner (csv-count.ts) when it is sure csv-parse would count the same: issue 18.
    const { sniffed, sample } = first;
    const h = await first.cells.next();
    await first.cells.return(undefined);
    if (h.done) throw noHeader(source);
    headerColumns(h.value, source, connector, opts, sniffed);
    const shape = await csvShape(source, csvDelimiter(sample, sniffed.encoding), sniffed.encoding);
    const cutShort =
      shape && shape.lastWidth < shape.firstWidth && !shape.endsWithLineEnd && shape.firstWidth > 1;
    if (shape && !cutShort && shape.firstWidth === h.value.cells.length && shape.records > 0) {
      if (shape.records - 1 > maxRows) throw tooMany(source, maxRows);
      return shape.records - 1;
    }
    // Unsure (or a refusal to word): csv-parse reads the whole file, as before.
    return countCells(source, connector, { ...opts, onHeader: undefined });
  }
  return countCells(source, connector, opts, first);
}

async function countCells(
  source: ExportSource,
  connector: ExportConnector,
  opts: ReadOptions,
  opened?: { cells: AsyncGenerator<Cells>; sniffed: Sniffed },
): Promise<number> {
  const { cells, sniffed } = opened ?? (await cellsOf(source, opts));
  let header = false;
  let rows = 0;
  const maxRows = opts.maxRows ?? 2_000_000;
  for await (const c of cells) {
    if (!header) {
      headerColumns(c, source, connector, opts, sniffed);
      header = true;
    } else if (++rows > maxRows) throw tooMany(source, maxRows);
  }
  if (!header) throw noHeader(source);
  return rows;
}
