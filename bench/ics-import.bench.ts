/**
 * Issue 15, point 5: a 100,000-event ICS feed (about 15 MB) through the real command, `send-hub import ics
 * <file>` (bin/send-hub.mjs, its own process, SQLite, a migrated database, the hub's encryption), the way a
 * user runs it. ICS_BENCH_EVENTS (default 100,000 x BENCH_SCALE).
 * (1) Speed: the command's wall time for the whole feed (goal < 30 s at 100,000 events) and its own CPU time
 *     (user + system: on a loaded machine wall time also counts the waits for a core), against two baselines
 *     measured in the same run: reading and line-splitting the same file (what any reader pays), and the
 *     floor program bench/floors/ics-import-floor.ts (stream + ical.js per event + AES-GCM + SHA-256 + one
 *     prepared better-sqlite3 insert per row, one transaction, in this process: no start-up, no checks).
 * (2) Memory: the command's exact peak RSS (VmHWM) at the full size and at a quarter of it: the ratio of
 *     the two shows whether memory grows with the feed (a streaming reader and batched writes: close to 1).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../store/migrate.ts';
import type { Figure } from './figure.ts';
import { icsImportFloor } from './floors/ics-import-floor.ts';
import { scaled } from './support/bench-hub.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const KEY = 'bench1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const mb = (bytes: number) => bytes / 1048576;

export const description =
  'send-hub import ics of a 100,000-event feed: wall time vs reading and splitting the file; peak RSS at two sizes';

/** `count` separate events, 5 minutes apart from tomorrow (inside the default sync window of 120 days). */
function writeFeed(file: string, count: number): void {
  const fd = fs.openSync(file, 'w');
  const d = new Date();
  const base = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1, 7);
  const stamp = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  fs.writeSync(fd, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//SEND Hub bench//EN\r\n');
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const start = base + (i % 30_000) * 300_000;
    chunk += `BEGIN:VEVENT\r\nUID:bench-${i}@school.example\r\nDTSTAMP:20260901T080000Z\r\nDTSTART:${stamp(start)}\r\nDTEND:${stamp(start + 1_800_000)}\r\nSUMMARY:Review meeting ${i}\r\nORGANIZER:mailto:sendco@school.example\r\nATTENDEE;ROLE=REQ-PARTICIPANT:mailto:teacher${i % 40}@school.example\r\nEND:VEVENT\r\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, `${chunk}END:VCALENDAR\r\n`);
  fs.closeSync(fd);
}

async function cli(
  dataDir: string,
  dbUrl: string,
  args: string[],
): Promise<{ ms: number; cpuMs: number; peakMb: number; out: string }> {
  const rssFile = path.join(dataDir, `max-rss-${Date.now()}`);
  const cpuFile = path.join(dataDir, `cpu-${Date.now()}`);
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      path.join(here, 'support', 'report-max-rss.mjs'),
      '--import',
      path.join(here, 'support', 'report-cpu.mjs'),
      path.join(root, 'bin', 'send-hub.mjs'),
      ...args,
    ],
    {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dataDir,
        DATABASE_URL: dbUrl,
        DATA_DIR: dataDir,
        SEND_HUB_ENCRYPTION_KEY: KEY,
        LOG_LEVEL: 'warn',
        BENCH_MAX_RSS_FILE: rssFile,
        BENCH_CPU_FILE: cpuFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => {
    out += String(b);
  });
  child.stderr.on('data', (b) => {
    err = (err + String(b)).slice(-2000);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`send-hub ${args.join(' ')} exited ${code}: ${err.slice(-500)}`);
  const peakMb = mb(Number(fs.readFileSync(rssFile, 'utf8')));
  const cpuMs = Number(fs.readFileSync(cpuFile, 'utf8'));
  return { ms, cpuMs, peakMb, out };
}

async function freshDataDir(): Promise<{ dir: string; url: string; orgId: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-bench-ics-'));
  const url = `file:${path.join(dir, 'send-hub.db')}`;
  await applyMigrations(url);
  // One organisation: `send-hub import` picks the only one.
  const { createDb } = await import('../store/db.ts');
  const h = createDb(url);
  const org = await h.db.organisation.create({ data: { name: 'Bench school' } });
  await h.close();
  return { dir, url, orgId: org.id };
}

export async function run(): Promise<Figure[]> {
  const events = Number(process.env.ICS_BENCH_EVENTS ?? scaled(100_000, 1000));
  const quarter = Math.max(250, Math.round(events / 4));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-bench-ics-feed-'));
  const full = path.join(tmp, 'full.ics');
  const small = path.join(tmp, 'quarter.ics');
  writeFeed(full, events);
  writeFeed(small, quarter);

  // Baseline: what any reader pays (read the file, split it into lines), median of 3.
  const base: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const lines = fs.readFileSync(full, 'utf8').split(/\r\n/);
    if (lines.length < events) throw new Error('short feed');
    base.push(performance.now() - t0);
  }
  base.sort((a, b) => a - b);
  const baseMs = base[1] as number;

  const a = await freshDataDir();
  const big = await cli(a.dir, a.url, ['import', 'ics', full, '--source', 'bench']);
  if (!new RegExp(`: ${events} events; meetings created ${events},`).test(big.out))
    throw new Error(`unexpected output: ${big.out.slice(0, 300)}`);
  const b = await freshDataDir();
  const q = await cli(b.dir, b.url, ['import', 'ics', small, '--source', 'bench']);
  // The floor, on a fresh database of its own, in this process.
  const c = await freshDataDir();
  const floor = await icsImportFloor(full, c.url.slice('file:'.length), c.orgId);
  if (floor.events !== events) throw new Error(`the floor wrote ${floor.events} of ${events} events`);
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const d of [a, b, c]) fs.rmSync(d.dir, { recursive: true, force: true });

  const at100k = events >= 100_000;
  return [
    {
      name: 'ics_import.cli.ms',
      value: Math.round(big.ms),
      unit: 'ms',
      goal: at100k ? '< 30000 (100,000 events)' : undefined,
      pass: at100k ? big.ms < 30_000 : undefined,
    },
    {
      name: 'ics_import.cli.cpu_ms',
      value: big.cpuMs,
      unit: 'ms',
      baseline: `the command's own CPU time (user + system); wall ${Math.round(big.ms)} ms`,
    },
    {
      name: 'ics_import.cli.ratio_vs_floor',
      value: Number((big.ms / floor.ms).toFixed(2)),
      unit: 'ratio',
      baseline: `the floor program (bench/floors/ics-import-floor.ts) on the same file: ${floor.ms.toFixed(0)} ms (no start-up, no checks, no Prisma)`,
    },
    { name: 'ics_import.cli.events', value: events, unit: 'count' },
    { name: 'ics_import.cli.events_per_s', value: Math.round(events / (big.ms / 1000)), unit: 'per_s' },
    {
      name: 'ics_import.cli.ratio_vs_read_split',
      value: Number((big.ms / baseMs).toFixed(1)),
      unit: 'ratio',
      baseline: `reading and line-splitting the same file (${baseMs.toFixed(0)} ms)`,
    },
    { name: 'ics_import.cli.peak_rss_mb', value: Math.round(big.peakMb), unit: 'MB' },
    {
      name: 'ics_import.cli.peak_rss_ratio_4x_events',
      value: Number((big.peakMb / q.peakMb).toFixed(2)),
      unit: 'ratio',
      baseline: `the same command on a quarter of the events (${Math.round(q.peakMb)} MB)`,
      goal: '< 1.5 (memory flat)',
      pass: big.peakMb / q.peakMb < 1.5,
    },
  ];
}
