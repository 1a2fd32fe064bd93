/**
 * The drop folder: an MIS or CPOMS scheduled export (or a person) saves a file into
 * IMPORT_DROP_DIR/<kind>/ (or names it "<kind>…"), the hub imports it and moves it to done/ or failed/
 * (with a one-line .reason.txt beside a failed file). Files are handled one at a time, after their size has
 * stopped changing (a half-copied file is not read).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import { isDomainError } from '../../core/errors.ts';
import { exportKindOf } from '../../integrations/exports/connectors.ts';
import { FileRefusedError } from '../../integrations/exports/errors.ts';
import type { Hub } from '../container.ts';
import { resolveImportOrg } from './resolve-org.ts';
import { errorCode, runImport } from './run-import.ts';
import { syncIcsFeed } from './sync-ics-feed.ts';

export interface DropResult {
  file: string;
  status: 'done' | 'failed';
  runId: string | null;
  reason: string | null;
}

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-');

export function kindForDropFile(dir: string, file: string): string | null {
  const rel = path.relative(dir, file).split(path.sep);
  if (rel.length === 2 && rel[0]) {
    if (rel[0].toLowerCase() === 'ics') return 'ics';
    return exportKindOf(rel[0]);
  }
  const base = path.basename(file).toLowerCase();
  if (base.endsWith('.ics')) return 'ics';
  const m = /^([a-z]+(?:-[a-z]+)?)/.exec(base);
  return (m?.[1] && exportKindOf(m[1])) || (m?.[1] && exportKindOf(m[1].split('-')[0] ?? '')) || null;
}

export class DropFolder {
  private watcher: FSWatcher | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly hub: Hub,
    readonly dir: string,
    private readonly onProcessed?: (r: DropResult) => void,
  ) {}

  private move(file: string, to: 'done' | 'failed', reason?: string): string {
    const target = path.join(this.dir, to);
    fs.mkdirSync(target, { recursive: true });
    const dest = path.join(target, `${stamp(this.hub.clock.now())}-${path.basename(file)}`);
    fs.renameSync(file, dest);
    if (reason) fs.writeFileSync(`${dest}.reason.txt`, `${reason}\n`);
    return dest;
  }

  /** Import one file and move it; never throws (a bad file must not stop the folder). */
  async processFile(file: string): Promise<DropResult> {
    const kind = kindForDropFile(this.dir, file);
    let result: DropResult;
    try {
      if (!kind)
        throw new FileRefusedError(
          path.basename(file),
          'unknown export kind: put the file in a folder named after its kind (cpoms, arbor-students …)',
        );
      const orgId = await resolveImportOrg(this.hub);
      if (kind === 'ics') {
        const text = fs.readFileSync(file, 'utf8');
        const r = await syncIcsFeed(this.hub, {
          orgId,
          source: path.basename(file, path.extname(file)),
          text,
          via: 'drop-folder',
        });
        result = { file, status: 'done', runId: r.runId, reason: null };
      } else {
        const run = await runImport(this.hub, {
          orgId,
          kind: kind as Parameters<typeof runImport>[1]['kind'],
          source: { name: path.basename(file), path: file },
          via: 'drop-folder',
        });
        result =
          run.status === 'COMPLETED'
            ? { file, status: 'done', runId: run.id, reason: null }
            : { file, status: 'failed', runId: run.id, reason: run.message };
      }
    } catch (err) {
      // A domain error's message is written to name no value; anything else is named by its code only.
      const reason = isDomainError(err) ? err.message : `${path.basename(file)}: failed (${errorCode(err)})`;
      result = { file, status: 'failed', runId: null, reason };
    }
    try {
      this.move(file, result.status, result.reason ?? undefined);
    } catch (err) {
      this.hub.log.error({ err: (err as Error).message }, 'drop folder: could not move a processed file');
    }
    this.hub.log.info({ status: result.status, runId: result.runId }, 'drop folder file processed');
    this.onProcessed?.(result);
    return result;
  }

  start(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.watcher = watch(this.dir, {
      depth: 1,
      ignoreInitial: false,
      ignored: (p: string) => {
        const rel = path.relative(this.dir, p).split(path.sep)[0];
        return rel === 'done' || rel === 'failed' || path.basename(p).startsWith('.');
      },
      awaitWriteFinish: { stabilityThreshold: 1500, pollInterval: 250 },
    });
    this.watcher.on('add', (file) => {
      this.queue = this.queue.then(() => this.processFile(file));
    });
  }

  /** Resolves when queued files are done. */
  async idle(): Promise<void> {
    await this.queue;
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
    await this.queue;
  }
}
