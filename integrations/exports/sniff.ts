/**
 * Refuse-before-write sniffing: look at the first bytes and decide what the file is (CSV in UTF-8, UTF-8
 * with BOM, UTF-16 or Windows-1252; or XLSX), or refuse it whole (binary, PDF, image, legacy .xls).
 */
import { FileRefusedError } from './errors.ts';

export type Sniffed = { format: 'csv'; encoding: 'utf8' | 'utf16le' | 'win1252' } | { format: 'xlsx' };

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/** Size of the sample the caller should pass (the start of the file). */
export const SNIFF_BYTES = 64 * 1024;

export function sniffBytes(head: Uint8Array, file: string): Sniffed {
  if (head.length === 0) throw new FileRefusedError(file, 'the file is empty');
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { format: 'xlsx' };
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0]))
    throw new FileRefusedError(file, 'legacy Excel 97-2003 (.xls) file: save it as .xlsx or CSV');
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46]))
    throw new FileRefusedError(file, 'a PDF, not a CSV or XLSX export');
  if (startsWith(head, [0x50, 0x4b])) throw new FileRefusedError(file, 'a damaged zip/XLSX file');
  if (startsWith(head, [0xff, 0xfe])) return { format: 'csv', encoding: 'utf16le' };
  if (startsWith(head, [0xfe, 0xff]))
    throw new FileRefusedError(file, 'UTF-16 big-endian text: save it as UTF-8 CSV');
  const sample = startsWith(head, [0xef, 0xbb, 0xbf]) ? head.subarray(3) : head;
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) throw new FileRefusedError(file, 'a binary file, not a CSV or XLSX export');
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1a)) controls++;
  }
  if (controls > Math.max(8, sample.length / 100))
    throw new FileRefusedError(file, 'a binary file, not a CSV or XLSX export');
  try {
    // stream: true tolerates a multi-byte character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { format: 'csv', encoding: 'utf8' };
  } catch {
    // Not UTF-8: Excel's "CSV" on Windows writes the ANSI code page, Windows-1252 in the UK.
    return { format: 'csv', encoding: 'win1252' };
  }
}
