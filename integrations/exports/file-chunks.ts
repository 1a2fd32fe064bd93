/**
 * A file's bytes in order, read into ONE buffer that every chunk reuses: a chunk is valid only until the
 * next one is asked for (hash it, scan it, never keep it). For the passes over a whole export that keep
 * nothing of it (its SHA-256, the dry pass's byte count): `fs.createReadStream` allocates a new buffer for
 * each read, outside the JS heap, and the few JS objects such a pass makes rarely trigger a collection, so
 * the buffers of a 184 MB file piled up to ~20 MB of malloc'd memory between collections, and the C
 * allocator did not always give the space back afterwards (issue 18, docs/imports.md "Memory").
 */
import fs from 'node:fs';

export async function* fileChunks(file: string, size = 256 * 1024): AsyncGenerator<Uint8Array> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(size);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
