/**
 * The importer's dry pass over a CSV without csv-parse (issue 18: at 1,000,000 rows csv-parse's dry pass
 * cost 13-19 s of CPU, most of it its per-field strings and the garbage collector). A byte scanner that
 * counts the records csv-parse would yield with read-export.ts's options (quotes, `""` escapes, CRLF/CR/LF,
 * empty lines and all-blank records skipped) and notes what the truncation check needs, making no strings.
 *
 * It answers only when it is sure csv-parse would read the file the same way; anything unusual makes it
 * answer `null` and the caller runs the csv-parse dry pass, which decides (and words any refusal) as before:
 * a quote that is not the first byte of its field, a byte other than a delimiter or line end after a
 * closing quote, a quote still open at the end, a record that holds only white space, quotes or non-ASCII
 * bytes (JavaScript's trim() may or may not call it blank), a record over 512 KB, a UTF-16 file.
 * Delimiters, quotes and line ends are ASCII, and in UTF-8 and Windows-1252 no byte of a multi-byte
 * character is ASCII, so the bytes show the structure without decoding.
 */
import iconv from 'iconv-lite';
import { fileChunks } from './file-chunks.ts';

export interface CsvShape {
  /** Records csv-parse would yield, the header row included. */
  records: number;
  /** Fields of the first record (the header) and of the last one. */
  firstWidth: number;
  lastWidth: number;
  /** Whether the file's last byte is a line end (CR or LF). */
  endsWithLineEnd: boolean;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const MAX_RECORD_BYTES = 512 * 1024;

/** ASCII white space as JavaScript's trim() knows it: tab, LF, VT, FF, CR, space. */
const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/** States between bytes. */
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: an escaped quote if the next byte is one, else the closing quote. */
const QUOTE_IN_QUOTED = 3;
const CLOSED = 4;

class Scanner {
  records = 0;
  firstWidth = 0;
  lastWidth = 0;
  lastByte = -1;
  private state = FIELD_START;
  private fields = 1;
  private content = false;
  private doubtful = false;
  private bytes = 0;

  constructor(private readonly delimiter: number) {}

  /** False when csv-parse might read the bytes differently (the caller falls back to it). */
  scan(buf: Uint8Array): boolean {
    const d = this.delimiter;
    let state = this.state;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i] as number;
      switch (state) {
        case QUOTED:
          if (b === QUOTE) state = QUOTE_IN_QUOTED;
          else if (b >= 0x80) this.doubtful = true;
          else if (!isSpace(b)) this.content = true;
          continue;
        case QUOTE_IN_QUOTED:
          if (b === QUOTE) {
            this.content = true;
            state = QUOTED;
            continue;
          }
          state = CLOSED;
          break;
        case FIELD_START:
          if (b === QUOTE) {
            state = QUOTED;
            this.doubtful = true;
            continue;
          }
          break;
      }
      // Outside quotes (UNQUOTED, CLOSED, or FIELD_START with an ordinary byte).
      if (b === d) {
        this.fields++;
        state = FIELD_START;
      } else if (b === LF || b === CR) {
        if (!this.endRecord(this.bytes + i + 1)) return false;
        state = FIELD_START;
      } else if (state === CLOSED || b === QUOTE) {
        return false;
      } else {
        state = UNQUOTED;
        if (b >= 0x80) this.doubtful = true;
        else if (!isSpace(b)) this.content = true;
      }
    }
    this.state = state;
    this.bytes += buf.length;
    if (buf.length) this.lastByte = buf[buf.length - 1] as number;
    // A record still open this long: csv-parse's own limit (max_record_size) may apply.
    return this.bytes - this.recordStart <= MAX_RECORD_BYTES;
  }

  /** Where the record being read starts (bytes from the start). */
  private recordStart = 0;

  /**
   * A line end outside quotes at byte `end`: the record is counted, skipped as blank (only ASCII white space
   * and delimiters: every field trims to ''), or too unusual to judge.
   */
  private endRecord(end: number): boolean {
    if (end - this.recordStart > MAX_RECORD_BYTES) return false;
    if (this.content) {
      this.records++;
      if (this.records === 1) this.firstWidth = this.fields;
      this.lastWidth = this.fields;
    } else if (this.doubtful) {
      // Only blanks with quotes or non-ASCII bytes: whether trim() empties it is left to csv-parse.
      return false;
    }
    this.fields = 1;
    this.content = false;
    this.doubtful = false;
    this.recordStart = end;
    return true;
  }

  /** At the end of the file: false if a quote is still open or the last record is unusual. */
  finish(): boolean {
    if (this.state === QUOTED) return false;
    if (this.state === QUOTE_IN_QUOTED) this.state = CLOSED;
    return this.endRecord(this.bytes);
  }
}

/**
 * The shape of the CSV at `source` as csv-parse would read it with `delimiter` (one ASCII character), or
 * null when only csv-parse can say. `bomBytes`: a UTF-8 byte-order mark to skip (iconv strips it).
 */
export async function csvShape(
  source: { path: string } | { bytes: Uint8Array },
  delimiter: string,
  encoding: 'utf8' | 'utf16le' | 'win1252',
): Promise<CsvShape | null> {
  const d = delimiter.charCodeAt(0);
  if (encoding === 'utf16le' || delimiter.length !== 1 || d >= 0x80 || d === QUOTE) return null;
  const s = new Scanner(d);
  let first = true;
  const feed = (chunk: Uint8Array): boolean => {
    let c = chunk;
    if (first && c.length) {
      first = false;
      if (encoding === 'utf8' && c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf) c = c.subarray(3);
    }
    return s.scan(c);
  };
  if ('bytes' in source) {
    if (!feed(source.bytes)) return null;
  } else {
    // One reused buffer (file-chunks.ts): the scanner keeps nothing of a chunk.
    for await (const chunk of fileChunks(source.path)) if (!feed(chunk)) return null;
  }
  if (!s.finish()) return null;
  return {
    records: s.records,
    firstWidth: s.firstWidth,
    lastWidth: s.lastWidth,
    endsWithLineEnd: s.lastByte === LF || s.lastByte === CR,
  };
}

/** The delimiter of the file whose first bytes are `sample`. */
export function csvDelimiter(sample: Uint8Array, encoding: 'utf8' | 'utf16le' | 'win1252'): string {
  const firstLine =
    iconv
      .decode(Buffer.from(sample), encoding)
      .replace(/^\uFEFF/, '')
      .split(/\r\n|\n|\r/)[0] ?? '';
  return detectDelimiter(firstLine);
}

/** The delimiter of the header line: comma, semicolon (European Excel) or tab, outside quotes. */
function detectDelimiter(firstLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  const [best, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0] ?? [',', 0];
  return n > 0 ? best : ',';
}
