/**
 * A refused or partly rejected import never writes a child's data in plain text (issue 15 point 10): the
 * reason names the file, the line, the field and the rule, never a value. Many refused files are dropped
 * into the drop folder the way a school's scheduled export (or a person) would, one is imported with the
 * real command line (bin/send-hub.mjs, a child process), and every reason, report, .reason.txt and log
 * line is searched for the cells' values.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { DropFolder, type DropResult } from '../../app/imports/drop-folder.ts';
import { buildCsv, buildXlsx, type Cell } from '../integrations/support/export-builders.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

/** Every value below is a cell of some file; none may appear in any reason, report or log line. */
const VALUES = ['Zed', 'Quill', 'belt', 'bruise', '14/03/2015', 'K801234567890', '2015-03-14', '95%'];
const INCIDENT: Cell[] = [
  '1001',
  'Zed Quill',
  'K801234567890',
  '7',
  '05/11/2026 14:30',
  'Safeguarding > Physical abuse',
  'Said he was hit with a belt; bruise on arm',
  'Called MASH',
  'Ms Reed',
  'Active',
];
const CPOMS_HEADER = [
  'Incident ID',
  'Student',
  'UPN',
  'Year Group',
  'Date/Time',
  'Categories',
  'Incident',
  'Actions',
  'Reported By',
  'Status',
];
const STUDENT: Cell[] = ['S1', 'K801234567890', 'Zed', 'Quill', '14/03/2015', '7'];

function zip(entries: Record<string, Buffer>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) z.addBuffer(data, name, { compress: true });
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
    z.end();
  });
}

/** The refused files, by path inside the drop folder (the folder names the kind). */
async function refusedFiles(): Promise<Record<string, Buffer>> {
  const noHeader = buildCsv(INCIDENT.map(String), [INCIDENT, INCIDENT.map((c, i) => (i ? c : '1002'))]);
  const withHeader = buildCsv(CPOMS_HEADER, [INCIDENT]).toString('utf8');
  // An XLSX whose local header renames the sheet entry with a child's details (same length as the
  // directory's name): the zip check used to quote the name it found.
  const xlsx = await buildXlsx(CPOMS_HEADER, [INCIDENT]);
  const renamed = Buffer.from(xlsx);
  const entry = Buffer.from('xl/worksheets/sheet1.xml');
  const at = renamed.indexOf(entry);
  Buffer.from('Zed Quill belt bruise.xm').copy(renamed, at);
  const contentTypes = Buffer.from('<?xml version="1.0"?><Types/>');
  const workbook = Buffer.from(
    '<?xml version="1.0"?><workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>',
  );
  const badXml = await zip({
    '[Content_Types].xml': contentTypes,
    'xl/workbook.xml': workbook,
    'xl/worksheets/sheet1.xml': Buffer.from(
      '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Zed Quill &belt; bruise</t></is></c></row></sheetData></worksheet>',
    ),
  });
  return {
    'cpoms/no-header.csv': noHeader,
    'cpoms/no-header-semicolon.csv': buildCsv(INCIDENT.map(String), [INCIDENT], { delimiter: ';' }),
    'cpoms/no-header-utf16.csv': buildCsv(INCIDENT.map(String), [INCIDENT], {
      encoding: 'utf16le',
      bom: true,
    }),
    'cpoms/no-header.xlsx': await buildXlsx(INCIDENT.map(String), [INCIDENT]),
    'students/pupils.csv': buildCsv(STUDENT.map(String), [STUDENT]),
    'cpoms/open-quote.csv': Buffer.from(
      `${withHeader}1003,Zed Quill,,7,05/11/2026,Safeguarding,"belt and bruise`,
    ),
    'cpoms/truncated.csv': Buffer.from(withHeader.slice(0, withHeader.indexOf('belt') + 4)),
    'cpoms/renamed-entry.xlsx': renamed,
    'cpoms/bad-xml.xlsx': badXml,
    'notes.csv': noHeader,
  };
}

const ATTENDANCE = buildCsv(
  ['Student ID', 'Period Start', 'Period End', 'Possible Sessions', 'Attended Sessions', 'Attendance %'],
  [['S1', '01/09/2026', '31/10/2026', '80', '40', '95%']],
);

async function cli(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [path.join(root, 'bin/send-hub.mjs'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', TZ: 'UTC', LOG_LEVEL: 'info', ...env },
      timeout: 120_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const leaks = (text: string) => VALUES.filter((v) => text.includes(v));

describe.each(providers)('refused imports name no value on %s', (provider) => {
  let t: TestHub;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-refused-'));
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [] });
    await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } });
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'drop folder, ImportRun, .reason.txt, the CLI and the log carry the file, line, field and rule only',
    { timeout: 240_000 },
    async () => {
      const files = await refusedFiles();
      for (const [rel, bytes] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), bytes);
      }
      fs.mkdirSync(path.join(dir, 'attendance'));
      fs.writeFileSync(path.join(dir, 'attendance', 'att.csv'), ATTENDANCE);
      const results: DropResult[] = [];
      const drop = new DropFolder(t.hub, dir, (r) => results.push(r));
      const expected = Object.keys(files).length + 1;
      drop.start();
      await expect.poll(() => results.length, { timeout: 60_000, interval: 100 }).toBe(expected);
      await drop.stop();

      expect(results.filter((r) => r.status === 'done')).toHaveLength(1); // attendance: one row rejected
      const reasons = fs
        .readdirSync(path.join(dir, 'failed'))
        .filter((f) => f.endsWith('.reason.txt'))
        .map((f) => fs.readFileSync(path.join(dir, 'failed', f), 'utf8'));
      expect(reasons).toHaveLength(expected - 1);
      for (const r of reasons) expect(leaks(r), r).toEqual([]);
      const byFile = Object.fromEntries(results.map((r) => [path.basename(r.file), r.reason ?? '']));
      expect(byFile['no-header.csv']).toBe(
        'no-header.csv: refused: line 1: not a CPOMS incident export: missing column(s) occurredAt, categories,' +
          ' text, upn or misId or studentName (the first row has 10 cell(s); recognised: none).' +
          ' Is the header row missing?' +
          ' Map headers in IMPORT_HEADER_MAP_FILE if they are named differently.',
      );
      expect(byFile['pupils.csv']).toMatch(/^pupils\.csv: refused: line 1: not a .* export: missing column/);
      expect(byFile['notes.csv']).toMatch(/^notes\.csv: refused: unknown export kind/);
      for (const f of ['no-header-semicolon.csv', 'no-header-utf16.csv', 'no-header.xlsx'])
        expect(byFile[f]).toMatch(
          new RegExp(
            `^${f.replace('.', '\\.')}: refused: line 1: not a .* export: missing column\\(s\\) .*Is the header row missing\\?`,
          ),
        );
      expect(byFile['renamed-entry.xlsx']).toMatch(/^renamed-entry\.xlsx: refused: damaged XLSX/);
      expect(byFile['bad-xml.xlsx']).toMatch(/^bad-xml\.xlsx: refused: /);
      expect(byFile['open-quote.csv']).toBe(
        'open-quote.csv: refused: truncated: a quoted field is still open at the end of the file',
      );

      const runs = await t.hub.dbh.db.importRun.findMany();
      expect(runs.length).toBeGreaterThanOrEqual(expected - 1);
      for (const r of runs) expect(leaks(r.message ?? ''), r.message ?? '').toEqual([]);
      const rejections = await t.hub.dbh.db.importRejection.findMany();
      expect(rejections.map((r) => [r.field, r.reason])).toEqual([
        ['percentage', 'does not match the attended and possible sessions'],
      ]);
      expect(leaks(t.logOut.text())).toEqual([]);

      // The person at the command line: a headerless CPOMS export, then the attendance report.
      const env = {
        DATABASE_URL: t.url,
        DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-refused-cli-')),
        SEND_HUB_ENCRYPTION_KEY: KEY,
        SEND_HUB_ENV: 'test',
      };
      const file = path.join(dir, 'cpoms-export.csv');
      fs.writeFileSync(file, files['cpoms/no-header.csv'] as Buffer);
      const refused = await cli(['import', 'cpoms', file], env);
      expect(refused.code).toBe(1);
      expect(refused.out).toContain(
        'cpoms-export.csv: refused: line 1: not a CPOMS incident export: missing column(s)',
      );
      expect(leaks(refused.out)).toEqual([]);
      const att = runs.find((r) => r.fileName.endsWith('att.csv'));
      const report = await cli(['import', 'report', att?.id ?? 'none'], env);
      expect(report.code).toBe(0);
      expect(report.out).toContain('line 2, percentage: does not match the attended and possible sessions');
      expect(leaks(report.out)).toEqual([]);
      fs.rmSync(env.DATA_DIR, { recursive: true, force: true });
    },
  );
});
