/**
 * Issue 4's figures. (1) Importing a generated CPOMS-style CSV (default 100,000 rows) through the whole
 * importer (dry pass, parse, dates, student lookup, encryption, idempotent upsert, report) as a ratio
 * against a plain bulk insert (createMany, batches of 1,000) of the same rows with the same driver (SQLite)
 * in the same run: goal <= 2. (2) Peak memory (RSS) importing a 1,000,000-row file: goal < 300 MB, which
 * only a streaming importer meets (the file itself is ~200 MB).
 *
 * Env: IMPORT_BENCH_ROWS (default 100000 x BENCH_SCALE), IMPORT_BENCH_MEMORY_ROWS (default 250000 x
 * BENCH_SCALE, so the suite fits its per-benchmark time limit; 0 skips the memory run). For the full-size
 * memory check run `IMPORT_BENCH_MEMORY_ROWS=1000000 BENCH_TIMEOUT_MS=1800000 BENCH_ONLY=import-cpoms npm run bench`:
 * a streaming importer's peak RSS does not grow with the row count, and the figure names the rows used.
 */

import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hub } from '../app/container.ts';
import { runImport } from '../app/imports/run-import.ts';
import type { Figure } from './figure.ts';
import { benchHub, freshDb, scaled, timed } from './support/bench-hub.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export const description =
  'CPOMS-style CSV import (100k rows) vs a plain bulk insert of the same rows; peak RSS for a 1M-row file';

const STUDENTS = 1000;
const CATEGORIES = [
  'Safeguarding > Neglect',
  'Behaviour',
  'Attendance',
  'Bullying',
  'Online Safety',
  'Medical',
];
const upnOf = (i: number) => `A${String(100_000_000_000 + i).slice(1)}${String(i % 10)}`;

function rowOf(i: number): { id: string; upn: string; at: string; day: number; cat: string; text: string } {
  const day = 1 + (i % 28);
  return {
    id: `INC${i}`,
    upn: upnOf(i % STUDENTS),
    at: `${String(day).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/2026 ${String(8 + (i % 9)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
    day,
    cat: CATEGORIES[i % CATEGORIES.length] as string,
    text: `Generated incident ${i}: staff member noticed, "a concern", and recorded it; follow-up planned.`,
  };
}

export async function writeCsv(file: string, rows: number): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write('Incident ID,UPN,Date/Time,Categories,Incident,Actions,Reported By,Status\r\n');
  for (let i = 0; i < rows; i++) {
    const r = rowOf(i);
    const line = `${r.id},${r.upn},${r.at},${r.cat},"${r.text.replace(/"/g, '""')}",Called home,Staff ${i % 40},Active\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function seedStudents(hub: Hub): Promise<string> {
  const org = await hub.dbh.db.organisation.create({ data: { name: 'Bench school' } });
  await hub.dbh.db.student.createMany({
    data: Array.from({ length: STUDENTS }, (_, i) => ({
      orgId: org.id,
      upn: upnOf(i),
      externalId: `S${i}`,
      givenName: `G${i}`,
      familyName: `F${i}`,
      yearGroup: String(7 + (i % 5)),
    })),
  });
  return org.id;
}

/** The baseline: the same rows, already in memory, inserted with createMany in batches of 1,000. */
async function plainBulkInsert(hub: Hub, orgId: string, rows: number): Promise<number> {
  const students = await hub.dbh.db.student.findMany({ where: { orgId }, select: { id: true, upn: true } });
  const byUpn = new Map(students.map((s) => [s.upn, s.id]));
  const t = await timed(async () => {
    for (let i = 0; i < rows; i += 1000) {
      const data = [];
      for (let j = i; j < Math.min(rows, i + 1000); j++) {
        const r = rowOf(j);
        data.push({
          orgId,
          source: 'baseline',
          externalId: r.id,
          studentId: byUpn.get(r.upn) as string,
          occurredAt: new Date(Date.UTC(2026, j % 12, r.day, 8 + (j % 9), j % 60)),
          categories: r.cat,
          textEnc: r.text,
          reportedBy: `Staff ${j % 40}`,
          status: 'Active',
          sourceHash: 'x',
        });
      }
      await hub.dbh.db.incident.createMany({ data });
    }
  });
  return t.ms;
}

export async function run(): Promise<Figure[]> {
  const rows = Number(process.env.IMPORT_BENCH_ROWS ?? scaled(100_000, 1000));
  const memRows = Number(process.env.IMPORT_BENCH_MEMORY_ROWS ?? scaled(250_000, 0));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-import-bench-'));
  const figures: Figure[] = [];
  try {
    const csv = path.join(tmp, 'cpoms.csv');
    await writeCsv(csv, rows);

    const baseDb = await freshDb('sqlite');
    const baseHub = await benchHub(baseDb.url);
    const baseMs = await plainBulkInsert(baseHub, await seedStudents(baseHub), rows);
    await baseHub.dbh.close();
    await baseDb.drop();

    const db = await freshDb('sqlite');
    const hub = await benchHub(db.url);
    const orgId = await seedStudents(hub);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const imp = await timed(() =>
      runImport(hub, { orgId, kind: 'cpoms', source: { name: 'cpoms.csv', path: csv }, via: 'bench' }),
    );
    clearInterval(sampler);
    if (imp.value.created !== rows) throw new Error(`import created ${imp.value.created} of ${rows} rows`);
    const again = await timed(() =>
      runImport(hub, { orgId, kind: 'cpoms', source: { name: 'cpoms.csv', path: csv }, via: 'bench' }),
    );
    if (again.value.unchanged !== rows)
      throw new Error(`re-import left ${again.value.unchanged} of ${rows} unchanged`);
    await hub.dbh.close();
    await db.drop();
    const ratio = imp.ms / baseMs;
    figures.push(
      {
        name: 'import_cpoms.sqlite.ratio_vs_bulk_insert',
        value: ratio,
        unit: 'ratio',
        baseline: `createMany of the same ${rows} rows in batches of 1,000 (${baseMs.toFixed(0)} ms)`,
        goal: '<= 2',
        pass: ratio <= 2,
      },
      { name: 'import_cpoms.sqlite.rows_per_s', value: rows / (imp.ms / 1000), unit: 'per_s' },
      {
        name: 'import_cpoms.ratio_run.peak_rss_mb',
        value: peak / 1048576,
        unit: 'MB',
        baseline: `${rows} rows; RSS before the import ${(before / 1048576).toFixed(0)} MB`,
      },
      {
        name: 'import_cpoms.sqlite.reimport.ratio_vs_bulk_insert',
        value: again.ms / baseMs,
        unit: 'ratio',
        baseline: 're-import of the same file (every row unchanged) against the same bulk insert',
      },
    );
    fs.rmSync(csv, { force: true });

    if (memRows > 0) {
      const big = path.join(tmp, 'cpoms-big.csv');
      await writeCsv(big, memRows);
      const sizeMb = fs.statSync(big).size / 1048576;
      // In a child process: the parent's heap after the runs above would hide the importer's own memory.
      const child = spawnSync(
        process.execPath,
        // A 256 MB V8 heap cap: the run completes only if rows are streamed, not kept (a held file OOMs).
        [
          '--max-old-space-size=256',
          '--import',
          'tsx',
          path.join(here, 'support', 'import-memory-child.ts'),
          big,
          String(memRows),
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr.slice(-500)}`);
      const m = JSON.parse(child.stdout.trim().split('\n').pop() as string) as {
        peakRssMb: number;
        beforeRssMb: number;
        created: number;
      };
      if (m.created !== memRows) throw new Error(`memory run created ${m.created} of ${memRows}`);
      const peak = m.peakRssMb * 1048576;
      const before = m.beforeRssMb * 1048576;
      figures.push(
        {
          name: 'import_cpoms.peak_rss_mb',
          value: peak / 1048576,
          unit: 'MB',
          baseline: `${memRows} rows, ${sizeMb.toFixed(0)} MB file; RSS before the import ${(before / 1048576).toFixed(0)} MB`,
          goal: '< 300',
          pass: peak / 1048576 < 300,
        },
        { name: 'import_cpoms.peak_rss_growth_mb', value: (peak - before) / 1048576, unit: 'MB' },
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return figures;
}
