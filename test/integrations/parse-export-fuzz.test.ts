/** parseExport on arbitrary bytes: it either parses or refuses the file with FileRefusedError, nothing else. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileRefusedError } from '../../integrations/exports/errors.ts';
import { loadHeaderMapFile } from '../../integrations/exports/header-map.ts';
import { parseExport } from '../../integrations/exports/parse-export.ts';
import { buildCsv } from './support/export-builders.ts';

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
