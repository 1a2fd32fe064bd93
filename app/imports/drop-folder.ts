/**
 * The drop folder: an MIS or CPOMS scheduled export (or a person) saves a file into
 * IMPORT_DROP_DIR/<kind>/ (or names it "<kind>…"), the hub imports it and moves it to done/ or failed/
 * (with a one-line .reason.txt beside a failed file). Files are handled one at a time, after their size has
 * stopped changing (a half-copied file is not read).
 *
 * Links are never followed (anyone who can write to the folder could point one at another directory): only
 * regular files directly in the folder or in a real <kind>/ subfolder are read, through a descriptor opened
 * with O_NOFOLLOW and checked to be the file that was looked at; anything else is left where it is, and a
 * processed file is moved only if the same file is still there.
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
  /** "skipped": not a regular file in the folder (a link, a directory, a device): not read, not moved. */
  status: 'done' | 'failed' | 'skipped';
  runId: string | null;
  reason: string | null;
}

const lstatOrNull = (p: string): fs.Stats | null => {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
};
const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
/** O_NONBLOCK: a FIFO swapped in after the lstat cannot block the open. */
const READ_NO_FOLLOW = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const WRITE_NEW = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
const PROC_FD = process.platform === 'linux' && fs.existsSync('/proc/self/fd');

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

  private move(file: string, seen: fs.Stats, to: 'done' | 'failed', reason?: string): string | null {
    // Only the file that was read, still in its place; never through a link to another directory.
    const now = lstatOrNull(file);
    if (!now?.isFile() || now.ino !== seen.ino || now.dev !== seen.dev) return null;
    const target = path.join(this.dir, to);
    fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    if (!lstatOrNull(target)?.isDirectory()) return null;
    const dest = path.join(target, `${stamp(this.hub.clock.now())}-${path.basename(file)}`);
    fs.renameSync(file, dest);
    if (reason) {
      // O_EXCL: a name planted in advance (a link to a file elsewhere) is never written through.
      const fd = fs.openSync(`${dest}.reason.txt`, WRITE_NEW, 0o600);
      try {
        fs.writeSync(fd, `${reason}\n`);
      } finally {
        fs.closeSync(fd);
      }
    }
    return dest;
  }

  /**
   * The file at `file` if it is a regular file directly in the folder or in a real subfolder of it, opened
   * without following a link; null for anything else.
   */
  private openRegular(file: string): { fd: number; stat: fs.Stats } | null {
    const rel = path.relative(this.dir, file).split(path.sep);
    if (rel.length > 2 || rel.some((x) => x === '..' || x === '')) return null;
    if (rel.length === 2 && !lstatOrNull(path.join(this.dir, rel[0] as string))?.isDirectory()) return null;
    const seen = lstatOrNull(file);
    if (!seen?.isFile()) return null;
    let fd: number;
    try {
      fd = fs.openSync(file, READ_NO_FOLLOW);
    } catch {
      return null; // ELOOP: it became a link since the lstat
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.ino !== seen.ino || stat.dev !== seen.dev) {
      fs.closeSync(fd);
      return null;
    }
    return { fd, stat };
  }

  /** Import one file and move it; never throws (a bad file must not stop the folder). */
  async processFile(file: string): Promise<DropResult> {
    const opened = this.openRegular(file);
    if (!opened) {
      const result: DropResult = { file, status: 'skipped', runId: null, reason: null };
      this.hub.log.warn('drop folder: an entry that is not a regular file was left where it is');
      this.onProcessed?.(result);
      return result;
    }
    try {
      return await this.processOpened(file, opened.fd, opened.stat);
    } finally {
      fs.closeSync(opened.fd);
    }
  }

  private async processOpened(file: string, fd: number, seen: fs.Stats): Promise<DropResult> {
    const kind = kindForDropFile(this.dir, file);
    // The importer reads the descriptor we opened (on Linux through /proc/self/fd), never the name again.
    const readPath = PROC_FD ? `/proc/self/fd/${fd}` : file;
    let result: DropResult;
    try {
      if (!kind)
        throw new FileRefusedError(
          path.basename(file),
          'unknown export kind: put the file in a folder named after its kind (cpoms, arbor-students …)',
        );
      const orgId = await resolveImportOrg(this.hub);
      if (kind === 'ics') {
        // Read through the descriptor, 64 KiB at a time (never the whole file in memory).
        const r = await syncIcsFeed(this.hub, {
          orgId,
          source: path.basename(file, path.extname(file)),
          path: fd,
          via: 'drop-folder',
        });
        result = { file, status: 'done', runId: r.runId, reason: null };
      } else {
        const run = await runImport(this.hub, {
          orgId,
          kind: kind as Parameters<typeof runImport>[1]['kind'],
          source: { name: path.basename(file), path: readPath },
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
      if (!this.move(file, seen, result.status as 'done' | 'failed', result.reason ?? undefined))
        this.hub.log.warn('drop folder: a processed file was replaced or moved meanwhile; nothing was moved');
    } catch (err) {
      this.hub.log.error({ err: errorCode(err) }, 'drop folder: could not move a processed file');
    }
    this.hub.log.info({ status: result.status, runId: result.runId }, 'drop folder file processed');
    this.onProcessed?.(result);
    return result;
  }

  start(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.watcher = watch(this.dir, {
      depth: 1,
      // A link is reported as itself, never walked into (processFile then leaves it alone).
      followSymlinks: false,
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
