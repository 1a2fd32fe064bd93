/** Builders that write real export files: CSV (encodings, BOM, CRLF, quoting) and XLSX (via exceljs). */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type Cell = string | number | Date | null;

export interface CsvOptions {
  encoding?: 'utf8' | 'win1252' | 'utf16le';
  bom?: boolean;
  eol?: '\r\n' | '\n';
  delimiter?: ',' | ';' | '\t';
  /** Extra blank rows at the end (",,,," style and empty lines). */
  trailingBlankRows?: number;
}

const quote = (v: string, d: string) =>
  /[",\n\r;\t]/.test(v) || v.includes(d) ? `"${v.replace(/"/g, '""')}"` : v;

export function buildCsv(header: string[], rows: Cell[][], o: CsvOptions = {}): Buffer {
  const d = o.delimiter ?? ',';
  const eol = o.eol ?? '\r\n';
  const lines = [header, ...rows].map((r) => r.map((c) => quote(c === null ? '' : String(c), d)).join(d));
  for (let i = 0; i < (o.trailingBlankRows ?? 0); i++) lines.push(i % 2 ? '' : header.map(() => '').join(d));
  const text = lines.join(eol) + eol;
  const enc = o.encoding ?? 'utf8';
  const body = enc === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, enc, { addBOM: false });
  const bom = !o.bom
    ? Buffer.alloc(0)
    : enc === 'utf16le'
      ? Buffer.from([0xff, 0xfe])
      : Buffer.from([0xef, 0xbb, 0xbf]);
  return Buffer.concat([bom, body]);
}

/** An XLSX workbook with one sheet (plus a notes sheet that must be ignored). Date cells stay dates. */
export async function buildXlsx(
  header: string[],
  rows: Cell[][],
  opts: { dateFormat?: string } = {},
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Export');
  ws.addRow(header);
  for (const r of rows) {
    const row = ws.addRow(r.map((c) => (c === null ? null : c)));
    row.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = opts.dateFormat ?? 'dd/mm/yyyy hh:mm';
    });
  }
  wb.addWorksheet('Notes').addRow(['not part of the export']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Excel stores wall-clock times as if UTC: 5 Nov 2026 14:30 local -> Date.UTC(2026, 10, 5, 14, 30). */
export const excelWallClock = (y: number, m: number, d: number, h = 0, mi = 0) =>
  new Date(Date.UTC(y, m - 1, d, h, mi));
