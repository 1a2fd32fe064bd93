/**
 * File-wide duplicate detection in bounded memory: remembers which record keys (incident ids, student ids)
 * a file has already had, and on which line, without keeping the key strings. Each key is kept as a 64-bit
 * hash plus its first line in an open-addressing table of typed arrays (12 bytes a slot, off the JS heap,
 * at most 90% full): ~13 MB for a 1,000,000-row file, nothing for the garbage collector to trace.
 * Two different keys share a 64-bit hash with odds of about 1 in 3 x 10^7 for a million-row file; such a row
 * would be reported (not silently dropped) as a duplicate of the other line.
 *
 * Sized once when the number of keys is known (the importer's dry pass counts the rows: `expected`), so a
 * big file never holds the old and the new table at once while it grows (issue 18: at 1,000,000 rows the
 * doubling held 12 + 24 MB); without it, or past it, the table grows by doubling as before.
 */
export class SeenKeys {
  private hi: Int32Array;
  private lo: Int32Array;
  /** First line + 1 (0 = empty slot). */
  private lines: Int32Array;
  private count = 0;

  constructor(expected = 3 << 10) {
    const capacity = Math.max(8, Math.ceil((Math.max(0, expected) * 10) / 9) + 1);
    this.hi = new Int32Array(capacity);
    this.lo = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Slots in the table (tests: a table sized once does not grow). */
  get capacity(): number {
    return this.lines.length;
  }

  /** The line `key` was first seen on, or undefined (and `line` is remembered for it). */
  firstLine(key: string, line: number): number | undefined {
    const [h, l] = hash64(key);
    const found = this.find(h, l);
    if (found >= 0) return (this.lines[found] as number) - 1;
    if ((this.count + 1) * 10 > this.lines.length * 9) {
      this.grow();
      this.insert(h, l, line);
    } else this.insertAt(~found, h, l, line);
    this.count++;
    return undefined;
  }

  /** Slot holding (h, l), or ~(empty slot where it would go). */
  private find(h: number, l: number): number {
    const n = this.lines.length;
    // The hash scaled to the table (any size, not only powers of two), then linear probing.
    let i = Math.floor(((h ^ l) >>> 0) * (n / 4294967296));
    for (;;) {
      if (this.lines[i] === 0) return ~i;
      if (this.hi[i] === h && this.lo[i] === l) return i;
      if (++i === n) i = 0;
    }
  }

  private insertAt(i: number, h: number, l: number, line: number): void {
    this.hi[i] = h;
    this.lo[i] = l;
    this.lines[i] = line + 1;
  }

  private insert(h: number, l: number, line: number): void {
    this.insertAt(~this.find(h, l), h, l, line);
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    this.hi = new Int32Array(lines.length * 2);
    this.lo = new Int32Array(lines.length * 2);
    this.lines = new Int32Array(lines.length * 2);
    for (let i = 0; i < lines.length; i++)
      if (lines[i]) this.insert(hi[i] as number, lo[i] as number, (lines[i] as number) - 1);
  }
}

/** Two independent 32-bit FNV-1a style hashes of the UTF-16 code units (a 64-bit key hash). */
function hash64(s: string): [number, number] {
  let a = 0x811c9dc5 | 0;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 13;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 16;
  return [a | 0, b | 0];
}
