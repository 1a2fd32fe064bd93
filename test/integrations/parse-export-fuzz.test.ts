/** parseExport on arbitrary bytes: it either parses or refuses the file with FileRefusedError, nothing else. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileRefusedError } from '../../integrations/exports/errors.ts';
import { loadHeaderMapFile } from '../../integrations/exports/header-map.ts';
import { parseExport } from '../../integrations/exports/parse-export.ts';
import { buildCsv, buildXlsx } from './support/export-builders.ts';

const onlyRefusals = async (kind: Parameters<typeof parseExport>[0], bytes: Uint8Array) => {
  try {
    const r = await parseExport(kind, bytes);
    for (const rej of r.rejections) expect(rej.line).toBeGreaterThan(1);
  } catch (err) {
    if (!(err instanceof FileRefusedError)) throw err;
  }
};

describe('parseExport fuzz', () => {
  it('random bytes are parsed or refused, never crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), (b) => onlyRefusals('cpoms', b)),
      { numRuns: 150 },
    );
  });

  it('a real CSV with random bytes spliced in is parsed or refused, never crash', async () => {
    const csv = buildCsv(
      ['Incident ID', 'UPN', 'Date', 'Category', 'Incident'],
      [
        ['1', 'A123456789012', '05/11/2026 14:30', 'Safeguarding', 'text, "quoted"\nline'],
        ['2', 'B123456789012', '06/11/2026', 'Behaviour', 'more'],
      ],
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(csv.length), fc.uint8Array({ maxLength: 40 }), async (at, junk) => {
        await onlyRefusals('cpoms', Buffer.concat([csv.subarray(0, at), junk, csv.subarray(at)]));
      }),
      { numRuns: 150 },
    );
  });
});

/** Cell text that no reason of the hub's own can contain ("Zq" is in none of its messages). */
const marked = fc.stringMatching(/^[A-Za-z0-9]{2,12}$/).map((s) => `Zq${s}`);
const refusalOf = async (kind: Parameters<typeof parseExport>[0], bytes: Uint8Array, fileName: string) => {
  try {
    await parseExport(kind, bytes, { fileName });
    return null;
  } catch (err) {
    if (!(err instanceof FileRefusedError)) throw err;
    return err.message;
  }
};

describe('refusal reasons never quote a cell (structure-aware)', () => {
  it('a CSV without its header row, cut anywhere, in any delimiter: the reason names no cell', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(marked, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(',', ';', '\t'),
        fc.option(fc.nat(), { nil: undefined }),
        fc.constantFrom('cpoms', 'arbor-students', 'arbor-attendance'),
        async (rows, delimiter, cut, kind) => {
          let bytes = buildCsv(rows[0] as string[], rows.slice(1), { delimiter: delimiter as ',' });
          if (cut !== undefined) bytes = bytes.subarray(0, cut % (bytes.length + 1));
          const message = await refusalOf(kind as 'cpoms', bytes, 'x.csv');
          if (message !== null) expect(message).not.toMatch(/Zq/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('an XLSX with one zip directory or local header field rewritten: parsed or refused, naming no cell', async () => {
    const header = ['Incident ID', 'UPN', 'Date', 'Category', 'Incident'];
    const seed = await buildXlsx(header, [
      ['ZqIncident1', 'ZqUpn', '05/11/2026 14:30', 'Safeguarding', 'ZqDisclosureText'],
    ]);
    const cdStarts: number[] = [];
    const lfhStarts: number[] = [];
    for (let p = 0; p + 4 <= seed.length; p++) {
      const sig = seed.readUInt32LE(p);
      if (sig === 0x02014b50) cdStarts.push(p);
      else if (sig === 0x04034b50) lfhStarts.push(p);
    }
    // APPNOTE.TXT §4.3.12 (central directory) and §4.3.7 (local header) field offsets and widths.
    const cdFields: [number, 2 | 4][] = [
      [10, 2],
      [20, 4],
      [24, 4],
      [28, 2],
      [30, 2],
      [42, 4],
    ];
    const lfhFields: [number, 2 | 4][] = [
      [6, 2],
      [8, 2],
      [18, 4],
      [22, 4],
      [26, 2],
      [28, 2],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        fc.oneof(fc.constantFrom(0, 1, 0xffff, 0xffffffff), fc.nat({ max: 0xffffffff })),
        async (central, entry, field, value) => {
          const b = Buffer.from(seed);
          const starts = central ? cdStarts : lfhStarts;
          const fields = central ? cdFields : lfhFields;
          const [off, width] = fields[field % fields.length] as [number, 2 | 4];
          const at = (starts[entry % starts.length] as number) + off;
          if (width === 2) b.writeUInt16LE(value & 0xffff, at);
          else b.writeUInt32LE(value >>> 0, at);
          const message = await refusalOf('cpoms', new Uint8Array(b), 'x.xlsx');
          if (message !== null) expect(message).not.toMatch(/Zq/);
        },
      ),
      { numRuns: 120 },
    );
  }, 120_000);
});

describe('admin header map file', () => {
  it('reads YAML, and refuses a malformed file with one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-map-'));
    const good = path.join(dir, 'map.yaml');
    fs.writeFileSync(good, 'cpoms:\n  Pupil Ref: upn\n  What happened: text\n');
    const map = loadHeaderMapFile(good);
    const csv = buildCsv(
      ['Pupil Ref', 'Date', 'Category', 'What happened'],
      [['A123456789012', '05/11/2026', 'Safeguarding', 'x']],
    );
    const r = await parseExport('cpoms', csv, { headerMap: map.cpoms });
    expect(r.rows).toHaveLength(1);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'cpoms: [1, 2');
    expect(() => loadHeaderMapFile(bad)).toThrow(/bad\.yaml: refused: header map is not valid YAML\/JSON/);
    fs.writeFileSync(bad, 'cpoms: { "Pupil Ref": 3 }');
    expect(() => loadHeaderMapFile(bad)).toThrow(
      'bad.yaml: refused: header map for "cpoms" must map header text to a field name',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
