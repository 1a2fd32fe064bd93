/**
 * `npm run bench`: runs every bench/*.bench.ts (a BenchModule: `description`, `run(): Promise<Figure[]>`),
 * each in its own child process with a time limit, so one failing or hanging benchmark is recorded and the
 * others still run. Writes bench/results/latest.json (names and values of every figure) and prints a table.
 *
 * Env: BENCH_SCALE (default 1; 0.1 for a quick run), BENCH_TIMEOUT_MS per benchmark (default 240000),
 * BENCH_BUDGET_MS for the whole suite (default 900000: each benchmark gets a fair share of what is left),
 * BENCH_ONLY (comma-separated names, e.g. "delivery,planner-tick").
 * The whole suite is sized to finish in under 10 minutes on a 2-core machine at BENCH_SCALE=1.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, Figure } from './figure.ts';
import { issue18Rows, multipleOfFloor } from './floor-table.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface BenchResult {
  name: string;
  description: string;
  ok: boolean;
  ms: number;
  figures: Figure[];
  error?: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  scale: number;
  /** loadavg: at the end of the run; loadavgAtStart: before the first benchmark (1, 5, 15 minutes). */
  machine: { cpus: number; node: string; platform: string; loadavg: number[]; loadavgAtStart?: number[] };
  benchmarks: BenchResult[];
  /** Flat list: every figure of every benchmark, prefixed by nothing (figure names are global). */
  figures: Figure[];
}

export function benchFiles(dir = here): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

const nameOf = (file: string) => path.basename(file).replace(/\.bench\.ts$/, '');

/** Child mode: import one benchmark, run it, write its result as JSON to `out`. */
async function runOne(file: string, out: string): Promise<void> {
  const started = performance.now();
  let result: BenchResult;
  try {
    const mod = (await import(pathToFileURL(file).href)) as Partial<BenchModule>;
    if (typeof mod.run !== 'function') throw new Error(`${path.basename(file)} does not export run()`);
    const figures = await mod.run();
    if (!Array.isArray(figures)) throw new Error('run() did not return an array of figures');
    result = {
      name: nameOf(file),
      description: mod.description ?? '',
      ok: true,
      ms: performance.now() - started,
      figures,
    };
  } catch (err) {
    result = {
      name: nameOf(file),
      description: '',
      ok: false,
      ms: performance.now() - started,
      figures: [],
      error: err instanceof Error ? `${err.message}` : String(err),
    };
  }
  fs.writeFileSync(out, JSON.stringify(result));
}

function runChild(file: string, timeoutMs: number): Promise<BenchResult> {
  const out = path.join(os.tmpdir(), `send-hub-bench-${process.pid}-${nameOf(file)}.json`);
  fs.rmSync(out, { force: true });
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file, out],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        // Its own process group, so a timeout also ends what it started (replica processes).
        detached: true,
        env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
      },
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      try {
        const r = JSON.parse(fs.readFileSync(out, 'utf8')) as BenchResult;
        fs.rmSync(out, { force: true });
        resolve(r);
      } catch {
        resolve({
          name: nameOf(file),
          description: '',
          ok: false,
          ms,
          figures: [],
          error: timedOut
            ? `timed out after ${Math.round(timeoutMs / 1000)} s (its share of BENCH_TIMEOUT_MS / BENCH_BUDGET_MS)`
            : `exited with ${signal ?? `code ${code}`} before writing a result`,
        });
      }
    });
  });
}

const fixed = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));

/**
 * Every figure: value, unit, its floor measured in the same run and the value's multiple of it (issue 18;
 * for a rate, floor / value, so "x floor" is always how many times the floor's cost), goal, pass, baseline.
 */
export function formatTable(results: BenchResult[]): string {
  const rows: string[][] = [['figure', 'value', 'unit', 'floor', 'x floor', 'goal', 'pass', 'baseline']];
  for (const r of results) {
    if (!r.ok) {
      rows.push([`${r.name} (FAILED)`, '-', '-', '-', '-', '-', 'no', (r.error ?? '').slice(0, 80)]);
      continue;
    }
    for (const f of r.figures) {
      rows.push([
        f.name,
        fixed(f.value),
        f.unit,
        f.floor === undefined ? '' : fixed(f.floor),
        f.floor === undefined ? '' : `${multipleOfFloor(f, f.floor).toFixed(2)}x`,
        f.goal ?? '',
        f.pass === undefined ? '' : f.pass ? 'yes' : 'NO',
        f.baseline ?? '',
      ]);
    }
  }
  return columns(rows, 60);
}

/** Issue 18's table (bench/floor-table.ts): each of its figures beside its floor or peer, and its goal. */
export function formatFloorTable(results: BenchResult[]): string {
  const rows = [
    ['issue 18: figure', 'today', 'floor', 'x floor', 'goal', 'met'],
    ...issue18Rows(results.flatMap((r) => r.figures)),
  ];
  return columns(rows, 90);
}

function columns(rows: string[][], max: number): string {
  const widths = rows[0]!.map((_, i) => Math.min(max, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    await runOne(args[1]!, args[2]!);
    process.exit(0);
  }
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 240_000);
  // The whole suite must finish in under 10 minutes on 2 cores (issue 9): each benchmark gets at most
  // a fair share of what is left of the budget, so one slow benchmark cannot starve the rest.
  const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 900_000);
  const files = benchFiles().filter((f) => only.length === 0 || only.includes(nameOf(f)));
  const startedAt = new Date().toISOString();
  const loadavgAtStart = os.loadavg();
  const suiteStart = performance.now();
  const results: BenchResult[] = [];
  for (const [i, file] of files.entries()) {
    const left = budgetMs - (performance.now() - suiteStart);
    const share = Math.min(timeoutMs, Math.max(30_000, (left / (files.length - i)) * 2), left);
    if (share < 5_000) {
      results.push({
        name: nameOf(file),
        description: '',
        ok: false,
        ms: 0,
        figures: [],
        error: `not run: the suite's time budget (BENCH_BUDGET_MS=${budgetMs}) was used up`,
      });
      continue;
    }
    process.stdout.write(`bench: ${nameOf(file)} (up to ${(share / 1000).toFixed(0)} s) …\n`);
    const r = await runChild(file, share);
    process.stdout.write(
      `bench: ${r.name} ${r.ok ? 'ok' : `FAILED: ${r.error}`} (${(r.ms / 1000).toFixed(1)} s)\n`,
    );
    results.push(r);
  }
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    scale: Number(process.env.BENCH_SCALE ?? 1),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      platform: process.platform,
      loadavg: os.loadavg(),
      loadavgAtStart,
    },
    benchmarks: results,
    figures: results.flatMap((r) => r.figures),
  };
  // BENCH_OUT: write somewhere else (a partial run, BENCH_ONLY, without replacing the full record).
  const out = process.env.BENCH_OUT ?? path.join(here, 'results', 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(
    `\n${formatTable(results)}\n\n${formatFloorTable(results)}\n\nload average (1, 5, 15 min) at start ${load(loadavgAtStart)}, at end ${load(os.loadavg())}\nwrote ${path.relative(process.cwd(), out)}\n`,
  );

  const failed = results.filter((r) => !r.ok).length;
  if (failed) process.stdout.write(`${failed} benchmark(s) failed; their errors are in latest.json\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
