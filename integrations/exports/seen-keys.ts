/**
 * File-wide duplicate detection in bounded memory: remembers which record keys (incident ids, student ids)
 * a file has already had, and on which line, without keeping the key strings. Each key is kept as a 64-bit
 * hash plus its first line in an open-addressing table of typed arrays (12 bytes a slot, off the JS heap,
 * at most half full): ~24 MB for a 1,000,000-row file, nothing for the garbage collector to trace. Two
 * different keys share a 64-bit hash with odds of about 1 in 3 x 10^7 for a million-row file; such a row
 * would be reported (not silently dropped) as a duplicate of the other line.
 */
export class SeenKeys {
  private hi: Int32Array;
  private lo: Int32Array;
  /** First line + 1 (0 = empty slot). */
  private lines: Int32Array;
  private count = 0;

  constructor(capacity = 1 << 12) {
    this.hi = new Int32Array(capacity);
    this.lo = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The line `key` was first seen on, or undefined (and `line` is remembered for it). */
  firstLine(key: string, line: number): number | undefined {
    const [h, l] = hash64(key);
    const found = this.find(h, l);
    if (found >= 0 && this.lines[found]) return (this.lines[found] as number) - 1;
    if ((this.count + 1) * 2 > this.lines.length) {
      this.grow();
      this.insert(h, l, line);
    } else this.insertAt(~found, h, l, line);
    this.count++;
    return undefined;
  }

  /** Slot holding (h, l), or ~(empty slot where it would go). */
  private find(h: number, l: number): number {
    const mask = this.lines.length - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      if (this.lines[i] === 0) return ~i;
      if (this.hi[i] === h && this.lo[i] === l) return i;
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
