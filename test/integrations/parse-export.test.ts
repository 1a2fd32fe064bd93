import { describe, expect, it } from 'vitest';
import { parseExport } from '../../integrations/exports/parse-export.ts';
import { buildCsv, buildXlsx, excelWallClock } from './support/export-builders.ts';

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
const cpomsRows = [
  [
    '1001',
    'Amelia Brook',
    'A123456789012',
    'Year 7',
    '05/11/2026 14:30',
    'Safeguarding > Neglect; Attendance',
    'She said, "I am hungry"\nand cold',
    'Called home, logged',
    'Ms Reed',
    'Active',
  ],
  ['1002', 'Jordan Pike', 'B123456789012', '9', '31/02/2026', 'Behaviour', 'text', '', '', ''],
  [
    '1003',
    'Zoë Brontë',
    'C123456789012',
    'Y10',
    '01/10/2026',
    'Bullying',
    'Café incident – £5 taken',
    '',
    '',
    'NFA',
  ],
  ['1004', 'Sam Lee', 'not-a-upn', '8', '02/10/2026 09:05', 'Online Safety', 'text', '', '', 'Closed'],
  ['1005', 'Ola Ade', 'D123456789012', '11', '03/10/2026 9:15', '', 'text', '', '', 'Pending'],
];

const expectCpoms = (r: Awaited<ReturnType<typeof parseExport>>) => {
  expect(r.rows.map((x) => x.line)).toEqual([2, 5]);
  const first = r.rows[0]?.row as { occurredAt: Date; categories: string[]; text: string };
  expect(first.occurredAt.toISOString()).toBe('2026-11-05T14:30:00.000Z'); // GMT in November
  expect(first.categories).toEqual(['Safeguarding > Neglect', 'Attendance']);
  expect(first.text).toBe('She said, "I am hungry"\nand cold');
  expect((r.rows[1]?.row as { text: string }).text).toBe('Café incident – £5 taken');
  expect(r.rejections).toEqual([
    { line: 4, field: 'occurredAt', reason: 'expected a date and time like 31/12/2025 09:30' },
    { line: 6, field: 'upn', reason: 'is not a UPN (13 characters: a letter, 11 digits, a digit or letter)' },
    { line: 7, field: 'categories', reason: 'is empty' },
  ]);
  // Reasons are printed and stored unencrypted: they name the field, never the cell's value.
  for (const rej of r.rejections)
    for (const bad of ['31/02/2026', 'not-a-upn']) expect(rej.reason).not.toContain(bad);
};

describe('parseExport: messy CPOMS-style CSV variants', () => {
  const variants = {
    'UTF-8 with BOM, CRLF, blank trailing rows': { bom: true, eol: '\r\n', trailingBlankRows: 3 },
    'UTF-8 without BOM, LF': { eol: '\n' },
    'Windows-1252, CRLF': { encoding: 'win1252', eol: '\r\n' },
    'UTF-16LE with BOM (Excel "Unicode text")': { encoding: 'utf16le', bom: true },
    'semicolon-delimited (European Excel)': { delimiter: ';' },
  } as const;
  for (const [name, o] of Object.entries(variants)) {
    it(name, async () => {
      // Line numbers: the quoted newline in row 1 makes it span lines 2-3.
      expectCpoms(await parseExport('cpoms', buildCsv(CPOMS_HEADER, cpomsRows, o)));
    });
  }

  it('accepts header variants, a separate time column, ISO and Excel serial dates, and an admin header map', async () => {
    const csv = buildCsv(
      ['Pupil Ref', 'Pupil Name', 'Incident Date', 'Time', 'Category', 'Description'],
      [
        ['A123456789012', 'Amelia Brook', '15/07/2026', '08:30', 'Safeguarding', 'x'],
        ['A123456789012', 'Amelia Brook', '2026-07-16T08:30', '', 'Safeguarding', 'y'],
        ['A123456789012', 'Amelia Brook', '46219.5', '', 'Safeguarding', 'z'],
      ],
    );
    await expect(parseExport('cpoms', csv)).resolves.toMatchObject({ rows: expect.any(Array) });
    const r = await parseExport('cpoms', csv, { headerMap: { 'Pupil Ref': 'upn' } });
    expect(r.rejections).toEqual([]);
    expect(r.rows.map((x) => (x.row as { occurredAt: Date }).occurredAt.toISOString())).toEqual([
      '2026-07-15T07:30:00.000Z', // BST
      '2026-07-16T07:30:00.000Z',
      '2026-07-16T11:00:00.000Z', // serial 46219.5 = 16/07/2026 12:00 local
    ]);
    expect((r.rows[0]?.row as { student: { upn: string } }).student.upn).toBe('A123456789012');
  });
});

describe('parseExport: files refused whole, with one clear line', () => {
  const good = buildCsv(CPOMS_HEADER, cpomsRows.slice(0, 1));
  it('a truncated CSV (a quoted field left open)', async () => {
    const cut = good.subarray(0, good.indexOf('hungry'));
    await expect(parseExport('cpoms', cut, { fileName: 'cpoms.csv' })).rejects.toThrow(
      'cpoms.csv: refused: truncated: a quoted field is still open at the end of the file',
    );
  });
  it('a truncated CSV (the last row cut short)', async () => {
    const csv = buildCsv(
      ['UPN', 'First Name', 'Surname', 'DOB'],
      [['A123456789012', 'Amelia', 'Brook', '01/01/2015']],
      { eol: '\n' },
    );
    const cut = Buffer.concat([csv, Buffer.from('B123456789012,Jor')]);
    await expect(parseExport('arbor-students', cut, { fileName: 's.csv' })).rejects.toThrow(
      's.csv: refused: truncated: the last row (line 3) is cut short',
    );
  });
  it('a binary file, a PDF, a legacy .xls, an empty file', async () => {
    await expect(
      parseExport('cpoms', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]), { fileName: 'a.csv' }),
    ).rejects.toThrow('a.csv: refused: a binary file, not a CSV or XLSX export');
    await expect(parseExport('cpoms', Buffer.from('%PDF-1.7\n'), { fileName: 'b.csv' })).rejects.toThrow(
      'b.csv: refused: a PDF',
    );
    await expect(
      parseExport('cpoms', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 1, 2]), { fileName: 'c.xls' }),
    ).rejects.toThrow('c.xls: refused: legacy Excel 97-2003 (.xls) file: save it as .xlsx or CSV');
    await expect(parseExport('cpoms', Buffer.alloc(0), { fileName: 'd.csv' })).rejects.toThrow(
      'd.csv: refused: the file is empty',
    );
  });
  it('the wrong kind of export', async () => {
    const students = buildCsv(
      ['Student ID', 'Forename', 'Surname', 'DOB'],
      [['7', 'Amelia', 'Brook', '01/01/2015']],
    );
    await expect(parseExport('cpoms', students, { fileName: 'x.csv' })).rejects.toThrow(
      /^x\.csv: refused: line 1: not a CPOMS incident export: missing column\(s\) occurredAt, categories, text; it looks like an export of kind arbor-students/,
    );
  });
});

describe('parseExport: XLSX', () => {
  const header = [
    'Student ID',
    'UPN',
    'Legal First Name',
    'Legal Last Name',
    'Date of Birth',
    'Year Group',
    'SEN Status',
    'EHCP',
    'Child in Care',
  ];
  const rows = [
    ['S1', 'A123456789012', 'Amelia', 'Brook', excelWallClock(2015, 2, 1), 'Year 7', 'K', 'No', 'Yes'],
    ['S2', null, 'Jordan', 'Pike', 41000, '9', 'E', '', ''],
    ['S3', null, 'Sam', 'Lee', 'not a date', '8', 'K', '', ''],
  ];
  it('reads the first sheet with date cells and serial numbers; bad rows are rejected', async () => {
    const r = await parseExport(
      'arbor-students',
      await buildXlsx(header, rows, { dateFormat: 'dd/mm/yyyy' }),
    );
    expect(r.rows.map((x) => x.row)).toEqual([
      expect.objectContaining({
        externalId: 'S1',
        dateOfBirth: '2015-02-01',
        yearGroup: '7',
        senStatus: 'K',
        childInCare: true,
      }),
      expect.objectContaining({ externalId: 'S2', dateOfBirth: '2012-04-01', senStatus: 'E', ehcp: true }),
    ]);
    expect(r.rejections).toEqual([
      { line: 4, field: 'dateOfBirth', reason: 'expected a date like 31/12/2014' },
    ]);
    expect(r.rejections[0]?.reason).not.toContain('not a date');
  });
  it('a truncated XLSX and a zip that is not a workbook are refused', async () => {
    const x = await buildXlsx(header, rows);
    await expect(
      parseExport('arbor-students', x.subarray(0, x.length - 200), { fileName: 's.xlsx' }),
    ).rejects.toThrow(/^s\.xlsx: refused: truncated XLSX/);
    const yazl = await import('yazl');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('hello'), 'readme.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    await expect(
      parseExport('arbor-students', Buffer.concat(chunks), { fileName: 'z.xlsx' }),
    ).rejects.toThrow('z.xlsx: refused: a zip file, but not an XLSX workbook');
  });
  it('a zip bomb is refused before decompression', async () => {
    const yazl = await import('yazl');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('<workbook/>'), 'xl/workbook.xml');
    zip.addBuffer(Buffer.alloc(8 * 1048576, 0x41), 'xl/worksheets/sheet1.xml');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    await expect(
      parseExport('arbor-students', Buffer.concat(chunks), { fileName: 'bomb.xlsx' }),
    ).rejects.toThrow(/^bomb\.xlsx: refused: refused as a possible zip bomb/);
  });
});
