/**
 * Bounds for XLSX (a zip) before any decompression, against zip bombs: read the central directory
 * (APPNOTE.TXT §4.3.12, §4.3.16), sum the declared uncompressed sizes, cap the compression ratio, and check
 * that it is a workbook at all; then inflate every entry once as a stream, counting the real bytes, and stop
 * at the size the directory declared (a directory that understates a sheet is refused, not believed).
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { FileRefusedError } from './errors.ts';

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
/** A real sheet compresses ~10-100x; deflate tops out near 1030x, reached only by crafted data. */
const MAX_RATIO = 500;
/** The part names an OOXML package uses (ECMA-376 Part 2 §6.2.2, as a zip path). */
const ENTRY_PATH = /^[A-Za-z0-9_\-./[\]]{1,120}$/;

interface ZipEntry {
  offset: number;
  name: string;
  /** How a reason names the entry. */
  label: string;
  nameLen: number;
  method: number;
  comp: number;
  uncomp: number;
  /** Where the entry's data starts (after its local header), once the local header has been checked. */
  dataStart?: number;
}

export interface ZipBounds {
  maxUncompressedBytes: number;
}

/** `readAt(offset, length)` reads bytes from the file (a buffer slice or a file handle). */
export async function checkXlsxZip(
  size: number,
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  file: string,
  bounds: ZipBounds,
): Promise<void> {
  const tailLen = Math.min(size, 22 + 65_535);
  const tail = Buffer.from(await readAt(size - tailLen, tailLen));
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FileRefusedError(file, 'truncated XLSX (the zip directory is missing)');
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || entries === 0xffff)
    throw new FileRefusedError(file, 'XLSX too large (zip64)');
  if (cdOffset + cdSize > size)
    throw new FileRefusedError(file, 'truncated XLSX (the zip directory points past the end)');
  const cd = Buffer.from(await readAt(cdOffset, cdSize));
  let p = 0;
  let total = 0;
  let workbook = false;
  const locals: ZipEntry[] = [];
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG)
      throw new FileRefusedError(file, 'damaged XLSX (bad zip directory)');
    const comp = cd.readUInt32LE(p + 20);
    const uncomp = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    if (name === 'xl/workbook.xml') workbook = true;
    // A reason names a workbook part by its path ("xl/worksheets/sheet1.xml"); any other name is a value
    // of the file's own and is named by position instead.
    const label = ENTRY_PATH.test(name) ? name : `#${n + 1}`;
    locals.push({
      offset: cd.readUInt32LE(p + 42),
      name,
      label,
      nameLen,
      method: cd.readUInt16LE(p + 10),
      comp,
      uncomp,
    });
    total += uncomp;
    if (uncomp > 1_000_000 && uncomp / Math.max(comp, 1) > MAX_RATIO)
      throw new FileRefusedError(
        file,
        `refused as a possible zip bomb (${label} expands ${Math.round(uncomp / Math.max(comp, 1))}x)`,
      );
    p += 46 + nameLen + extraLen + commentLen;
  }
  await checkLocalHeaders(locals, cdOffset, readAt, file);
  if (!workbook) throw new FileRefusedError(file, 'a zip file, but not an XLSX workbook');
  if (total > bounds.maxUncompressedBytes)
    throw new FileRefusedError(
      file,
      `XLSX expands to ${Math.round(total / 1048576)} MB, over the ${Math.round(bounds.maxUncompressedBytes / 1048576)} MB limit (IMPORT_XLSX_MAX_MB)`,
    );
  await checkInflatedSizes(locals, readAt, file);
}

class Overflow extends Error {}

/**
 * The directory's sizes are only what the file says. Before a reader trusts them, every entry is inflated
 * once as a stream (64 KB at a time, the output counted and dropped) and stopped as soon as it passes the
 * size its directory entry declares: a file that understates a sheet is refused after a few KB more than
 * it declared, instead of filling memory with the sheet it hid. The declared sizes were already held to
 * the ratio and the IMPORT_XLSX_MAX_MB limit above, so the real bytes are too.
 */
async function checkInflatedSizes(
  locals: ZipEntry[],
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  file: string,
): Promise<void> {
  const CHUNK = 64 * 1024;
  const SLICE = 2048;
  for (const e of locals) {
    if (e.dataStart === undefined) continue;
    if (e.method === 0) {
      // Stored: the data is its own size, which the directory must not understate either.
      if (e.comp > e.uncomp)
        throw new FileRefusedError(
          file,
          `refused as a possible zip bomb (${e.label} holds more than the ${e.uncomp} bytes its zip directory declares)`,
        );
      continue;
    }
    const start = e.dataStart;
    const comp = e.comp;
    async function* compressed() {
      for (let at = 0; at < comp; at += CHUNK) {
        const buf = Buffer.from(await readAt(start + at, Math.min(CHUNK, comp - at)));
        // zlib inflates a whole input chunk before it looks at backpressure, and deflate can expand
        // ~1,000x: 2 KB at a time keeps one step's output near 2 MB.
        for (let k = 0; k < buf.length; k += SLICE) yield buf.subarray(k, k + SLICE);
      }
    }
    let inflated = 0;
    const counter = new Writable({
      write(chunk: Buffer, _enc, cb) {
        inflated += chunk.length;
        cb(inflated > e.uncomp ? new Overflow() : null);
      },
    });
    try {
      await pipeline(Readable.from(compressed()), zlib.createInflateRaw({ chunkSize: CHUNK }), counter);
    } catch (err) {
      if (err instanceof Overflow)
        throw new FileRefusedError(
          file,
          `refused as a possible zip bomb (${e.label} inflates to more than the ${e.uncomp} bytes its zip directory declares)`,
        );
      throw new FileRefusedError(file, `damaged XLSX (${e.label} does not inflate)`, { cause: err });
    }
  }
}

/**
 * A streaming reader walks the local file headers (APPNOTE.TXT §4.3.7) one after another and trusts them;
 * a damaged length there makes it wait for bytes that never come. So every local header must agree with
 * its central-directory entry (signature, name, method) and the entries must tile the file up to the
 * directory, with only an optional data descriptor (§4.3.9: 12 or 16 bytes) between them.
 */
async function checkLocalHeaders(
  locals: ZipEntry[],
  cdOffset: number,
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  file: string,
): Promise<void> {
  const damaged = (what: string) => new FileRefusedError(file, `damaged XLSX (${what})`);
  const sorted = [...locals].sort((a, b) => a.offset - b.offset);
  let expected = 0;
  for (const e of sorted) {
    const gap = e.offset - expected;
    if (gap !== 0 && gap !== 12 && gap !== 16)
      throw damaged(`zip entry ${e.label} is not where the directory says`);
    if (e.offset + 30 > cdOffset) throw damaged(`zip entry ${e.label} points past the data`);
    const h = Buffer.from(await readAt(e.offset, 30));
    if (h.length < 30 || h.readUInt32LE(0) !== LFH_SIG) throw damaged(`bad local header for ${e.label}`);
    const flags = h.readUInt16LE(6);
    const method = h.readUInt16LE(8);
    const comp = h.readUInt32LE(18);
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    if (method !== e.method || nameLen !== e.nameLen || (method !== 0 && method !== 8))
      throw damaged(`local header for ${e.label} disagrees with the directory`);
    if ((flags & 0x08) === 0 && comp !== e.comp)
      throw damaged(`local header for ${e.label} disagrees with the directory`);
    if ((flags & 0x08) !== 0 && method === 0)
      throw damaged(`stored entry ${e.label} has no size in its local header`);
    const name = Buffer.from(await readAt(e.offset + 30, nameLen)).toString('utf8');
    if (name !== e.name) throw damaged(`local header for ${e.label} names another entry`);
    e.dataStart = e.offset + 30 + nameLen + extraLen;
    expected = e.dataStart + e.comp;
    if (expected > cdOffset) throw damaged(`zip entry ${e.label} runs past the data`);
  }
  const tailGap = cdOffset - expected;
  if (tailGap !== 0 && tailGap !== 12 && tailGap !== 16)
    throw damaged('unexpected bytes before the zip directory');
}
