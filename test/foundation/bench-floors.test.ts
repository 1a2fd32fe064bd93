/**
 * Issue 18's floor programs (bench/floors/) do the work they claim, on a real migrated SQLite database, and
 * the runner prints each figure with its floor and goal. The figures themselves are measured by
 * `npm run bench`, not here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareTickFloor } from '../../bench/floors/deadline-tick-floor.ts';
import { importFloor } from '../../bench/floors/import-cpoms-floor.ts';
import { formatFloorTable, formatTable } from '../../bench/run.ts';
import { createTestDb, type TestDb } from '../support/db.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('bench floors', () => {
  let t: TestDb;
  let dir: string;
  let orgId: string;
  beforeEach(async () => {
    t = await createTestDb('sqlite');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-floor-'));
    orgId = (await t.db.organisation.create({ data: { name: 'Floor school' } })).id;
  });
  afterEach(async () => {
    await t.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = () => t.url.slice('file:'.length);

  it('the import floor parses every row, encrypts the narrative, hashes the row and inserts it', async () => {
    const studentId = (
      await t.db.student.create({
        data: { orgId, upn: 'A123456789012', givenName: 'G', familyName: 'F', yearGroup: '7' },
      })
    ).id;
    const csv = path.join(dir, 'cpoms.csv');
    fs.writeFileSync(
      csv,
      'Incident ID,UPN,Date/Time,Categories,Incident,Actions,Reported By,Status\r\n' +
        'INC1,A123456789012,03/02/2026 09:15,Behaviour,"Said ""no"", then left",Called home,Staff 1,Active\r\n' +
        'INC2,A123456789012,04/02/2026 10:00,Attendance,Late again,None,Staff 2,Closed\r\n',
    );
    await t.close();
    const r = await importFloor(csv, file(), orgId);
    expect(r.rows).toBe(2);
    const db = new Database(file(), { readonly: true });
    const rows = db
      .prepare(
        'SELECT "externalId", "studentId", "occurredAt", "textEnc", "sourceHash" FROM "Incident" ORDER BY 1',
      )
      .all() as Record<string, string>[];
    db.close();
    expect(rows.map((x) => [x.externalId, x.studentId, x.occurredAt])).toEqual([
      ['INC1', studentId, '2026-02-03T09:15:00.000Z'],
      ['INC2', studentId, '2026-02-04T10:00:00.000Z'],
    ]);
    expect(rows[0]!.textEnc).toMatch(/^v1:floor:/);
    expect(rows[0]!.textEnc).not.toContain('Said');
    expect(rows[0]!.sourceHash).not.toBe(rows[1]!.sourceHash);

    // As its own process (the CLI comparison): the same work, a JSON line on stdout.
    const again = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'bench/floors/import-cpoms-floor.ts'), csv, file(), orgId],
      { cwd: root, encoding: 'utf8' },
    );
    // The same incident ids again: the floor has no idempotency, so the unique key refuses them.
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('UNIQUE constraint failed');
  });

  it("a child's peak RSS is its own, not its parent's carried over by fork and exec", async () => {
    // This process holds 300 MB more than any bare node child needs: ru_maxrss would report it in the child.
    const ballast = Buffer.alloc(300 * 1024 * 1024, 1);
    const out = path.join(dir, 'rss');
    const r = spawnSync(
      process.execPath,
      ['--import', path.join(root, 'bench/support/report-max-rss.mjs'), '-e', ''],
      { env: { ...process.env, BENCH_MAX_RSS_FILE: out }, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(ballast[0]).toBe(1);
    expect(process.memoryUsage().rss).toBeGreaterThan(300 * 1024 * 1024);
    expect(Number(fs.readFileSync(out, 'utf8')) / 1048576).toBeLessThan(150);
  });

  it('the idle floor opens the database and answers one query', async () => {
    await t.close();
    const r = spawnSync(process.execPath, [path.join(root, 'bench/floors/idle-sqlite.mjs'), file()], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ students: 0 });
  });

  it('the tick floor reads only the cases whose next nudge has come', async () => {
    const student = await t.db.student.create({
      data: { orgId, givenName: 'G', familyName: 'F', yearGroup: '7' },
    });
    const open = (dueOn: string) =>
      t.db.case.create({
        data: {
          orgId,
          studentId: student.id,
          kind: 'EHC_NEEDS_ASSESSMENT',
          rulePack: 'england-send-2014@cop-2015',
          startDate: '2027-01-04',
          deadlines: { create: [{ ruleId: 'r', dueOn }] },
        },
      });
    await open('2027-03-10');
    await open('2027-04-20');
    const floor = prepareTickFloor(file(), orgId, '2027-03-01');
    try {
      // Next nudges: 7 March and 17 April (three days before each deadline).
      expect(floor.tick('2027-03-01').cases).toBe(0);
      expect(floor.tick('2027-03-07').cases).toBe(1);
      expect(floor.tick('2027-04-17').cases).toBe(2);
    } finally {
      floor.close();
    }
  });
});

describe('bench table', () => {
  const result = (figures: Parameters<typeof formatTable>[0][number]['figures']) => [
    { name: 'x', description: '', ok: true, ms: 1, figures },
  ];

  it('prints each figure with its floor and the multiple of it (a rate inverted)', () => {
    const out = formatTable(
      result([
        { name: 'import_cpoms.sqlite.rows_per_s', value: 2000, unit: 'per_s', floor: 8000 },
        {
          name: 'deadlines.tick_20k.steady_ms',
          value: 50,
          unit: 'ms',
          floor: 0.5,
          goal: '< 100',
          pass: true,
        },
      ]),
    );
    expect(out.split('\n')[0]).toMatch(/figure\s+value\s+unit\s+floor\s+x floor\s+goal\s+pass\s+baseline/);
    expect(out).toMatch(/import_cpoms\.sqlite\.rows_per_s\s+2000\s+per_s\s+8000\s+4\.00x/);
    expect(out).toMatch(/deadlines\.tick_20k\.steady_ms\s+50\s+ms\s+0\.500\s+100\.00x\s+< 100\s+yes/);
  });

  it("prints issue 18's rows with floor, multiple and goal, and says which were not measured", () => {
    const out = formatFloorTable(
      result([
        { name: 'slack_ack.even.hub.p99', value: 21, unit: 'ms' },
        { name: 'slack_ack.even.bolt_minimal.p99', value: 7, unit: 'ms' },
        { name: 'slack_ack.even.p99_ratio_vs_minimal_bolt', value: 3, unit: 'ratio', pass: false },
        { name: 'import_cpoms.idle_rss_mb', value: 208, unit: 'MB', floor: 49, pass: false },
        // Within its own goal (< 300 MB at 80,000 rows) but not issue 18's (< 150 MB).
        {
          name: 'import_cpoms.cli.peak_rss_mb',
          value: 263,
          unit: 'MB',
          floor: 118,
          goal: '< 300',
          pass: true,
        },
      ]),
    );
    const line = (what: string) => out.split('\n').find((l) => l.includes(what)) ?? '';
    expect(line('Slack ack')).toMatch(/21\.00\s+7\.00\s+3\.00x\s+<= 1\.2x the peer\s+NO/);
    expect(line('idle process')).toMatch(/208\s+49\.00\s+4\.24x\s+< 100 MB\s+NO/);
    expect(line('import peak RSS')).toMatch(/263\s+118\s+2\.23x\s+< 150 MB at 1,000,000 rows\s+NO/);
    expect(line('deadline tick')).toContain('not measured in this run');
    expect(out.split('\n')).toHaveLength(10);
  });
});
