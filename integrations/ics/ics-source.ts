/**
 * Where a feed's text comes from, read piece by piece: a file is read in 64 KiB chunks (never whole) and
 * decoded as UTF-8 across chunk boundaries (a character cut between two reads is put back together). A feed is
 * read twice: a cheap first pass (its time zones, its envelope, its SHA-256), then the events, one at a time
 * (read-ics-feed.ts), so an IcsSource can give its chunks more than once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { IcsText } from './content-lines.ts';

/** A feed's text that can be read from the start again (a file, or a text already in memory). */
export interface IcsSource {
  chunks(): Iterable<string>;
}

/** Bytes read from a file at a time. */
export const FILE_CHUNK_BYTES = 64 * 1024;

/** A text already in memory (a downloaded feed, a test): one chunk. */
export function textSource(text: string): IcsSource {
  return { chunks: () => [text] };
}

/** A file, or an open descriptor, read `chunkBytes` at a time each time its chunks are asked for. */
export function fileSource(file: string | number, chunkBytes = FILE_CHUNK_BYTES): IcsSource {
  return { chunks: () => fileChunks(file, chunkBytes) };
}

function* fileChunks(file: string | number, chunkBytes: number): Generator<string> {
  const fd = typeof file === 'number' ? file : fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(chunkBytes);
  const decoder = new StringDecoder('utf8');
  let position = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, chunkBytes, position);
      if (n === 0) break;
      position += n;
      const s = decoder.write(buf.subarray(0, n));
      if (s) yield s;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    if (typeof file !== 'number') fs.closeSync(fd);
  }
}

/** What the first pass saw of a feed: its first and last characters (the envelope) and its SHA-256. */
export interface IcsFingerprint {
  head: string;
  tail: string;
  sha256: string;
}

const EDGE = 1024;

/**
 * Pass `source`'s chunks through, noting its first and last EDGE characters and hashing it (the UTF-8 of the
 * text, as the import report's sha256) as they go; `done()` gives the result once the chunks are read.
 */
export function fingerprinting(source: IcsSource): { chunks: IcsText; done(): IcsFingerprint } {
  const hash = createHash('sha256');
  let head = '';
  let tail = '';
  function* tap(): Generator<string> {
    for (const chunk of source.chunks()) {
      hash.update(chunk, 'utf8');
      if (head.length < EDGE) head += chunk.slice(0, EDGE - head.length);
      tail = chunk.length >= EDGE ? chunk.slice(-EDGE) : (tail + chunk).slice(-EDGE);
      yield chunk;
    }
  }
  return { chunks: tap(), done: () => ({ head, tail, sha256: hash.digest('hex') }) };
}
