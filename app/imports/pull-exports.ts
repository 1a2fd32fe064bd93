/**
 * Scheduled pulls: download each IMPORT_PULL_URLS export to a temporary file (streamed, size-capped),
 * skip it when its SHA-256 equals the last completed import of that kind, else import it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExportKind } from '../../integrations/connector.ts';
import { exportKindOf } from '../../integrations/exports/connectors.ts';
import { FileRefusedError } from '../../integrations/exports/errors.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import { importsConfig, parseNamedUrls } from '../config/imports.ts';
import type { Hub } from '../container.ts';
import { runImport } from './run-import.ts';

/** Largest download accepted (a million-row CPOMS CSV is ~300 MB). */
const MAX_PULL_BYTES = 1024 * 1048576;

export interface PullResult {
  kind: string;
  status: 'imported' | 'unchanged' | 'refused' | 'failed';
  runId: string | null;
}

export async function downloadToFile(url: string, dest: string, maxBytes = MAX_PULL_BYTES): Promise<string> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(300_000) });
  if (!res.ok || !res.body)
    throw new FileRefusedError(path.basename(dest), `HTTP ${res.status} from ${new URL(url).host}`);
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    async function* (src) {
      for await (const chunk of src) {
        bytes += (chunk as Buffer).length;
        if (bytes > maxBytes)
          throw new FileRefusedError(path.basename(dest), `larger than ${maxBytes} bytes`);
        hash.update(chunk as Buffer);
        yield chunk;
      }
    },
    fs.createWriteStream(dest, { mode: 0o600 }),
  );
  return hash.digest('hex');
}

export async function pullExports(hub: Hub, orgId: string): Promise<PullResult[]> {
  const cfg = importsConfig(hub.config.raw);
  const repo = new ImportRepository(hub.dbh.db);
  const tmpDir = path.join(hub.config.dataDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  const out: PullResult[] = [];
  for (const { name, url } of parseNamedUrls(cfg.IMPORT_PULL_URLS)) {
    const kind = exportKindOf(name) as ExportKind | null;
    if (!kind) {
      hub.log.warn({ name }, 'IMPORT_PULL_URLS: unknown export kind');
      out.push({ kind: name, status: 'failed', runId: null });
      continue;
    }
    const base = path.basename(new URL(url).pathname) || `${kind}.csv`;
    const tmp = path.join(tmpDir, `${Date.now()}-${process.pid}-${base}`);
    try {
      const sha = await downloadToFile(url, tmp);
      const last = (await repo.recent(orgId, 20)).find((r) => r.kind === kind && r.status === 'COMPLETED');
      if (last?.sha256 === sha) {
        out.push({ kind, status: 'unchanged', runId: last.id });
        continue;
      }
      const run = await runImport(hub, { orgId, kind, source: { name: base, path: tmp }, via: 'pull' });
      out.push({ kind, status: run.status === 'COMPLETED' ? 'imported' : 'refused', runId: run.id });
    } catch (err) {
      hub.log.warn({ kind, err: (err as Error).message }, 'scheduled pull failed');
      out.push({ kind, status: 'failed', runId: null });
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  return out;
}
