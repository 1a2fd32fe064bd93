/**
 * integrations/exports/file-chunks.ts: a whole file's bytes in order through one reused buffer (the SHA-256
 * and dry passes of an import, issue 18): the same bytes as reading the file at once, for a file of several
 * chunks with a part-filled last one, an empty file, and a file of exactly one chunk.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileChunks } from '../../integrations/exports/file-chunks.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-chunks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(bytes: Buffer, size: number) {
  const file = path.join(dir, `f-${bytes.length}-${size}`);
  fs.writeFileSync(file, bytes);
  const h = createHash('sha256');
  const seen: Uint8Array[] = [];
  const lengths: number[] = [];
  for await (const chunk of fileChunks(file, size)) {
    h.update(chunk);
    seen.push(chunk);
    lengths.push(chunk.length);
  }
  return { sha: h.digest('hex'), seen, lengths };
}

describe('fileChunks', () => {
  it('gives every byte in order, the last chunk part-filled', async () => {
    const bytes = randomBytes(10 * 1000 + 123);
    const r = await read(bytes, 1000);
    expect(r.sha).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(r.lengths).toEqual([...Array(10).fill(1000), 123]);
  });

  it('reuses one buffer for every chunk (a chunk is valid until the next is asked for)', async () => {
    const r = await read(randomBytes(3000), 1000);
    const buffers = new Set(r.seen.map((c) => c.buffer));
    expect(buffers.size).toBe(1);
  });

  it('an empty file gives no chunk; a file of exactly one chunk gives one', async () => {
    expect((await read(Buffer.alloc(0), 1000)).lengths).toEqual([]);
    expect((await read(randomBytes(1000), 1000)).lengths).toEqual([1000]);
  });
});
