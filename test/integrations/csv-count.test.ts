/**
 * The dry pass's byte scanner (integrations/exports/csv-count.ts) against csv-parse: countExport must give
 * exactly what reading the file through readExport (csv-parse) gives, the same count or the same refusal,
 * on well-formed exports and on damaged or odd ones (where the scanner hands over to csv-parse).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectors } from '../../integrations/exports/connectors.ts';
import { csvShape } from '../../integrations/exports/csv-count.ts';
import { countExport, readExport } from '../../integrations/exports/read-export.ts';

const HEADER = 'Incident ID,UPN,Date/Time,Categories,Incident';

async function outcome(f: () => Promise<number>): Promise<string> {
  try {
    return `rows ${await f()}`;
  } catch (err) {
    return `refused ${(err as Error).message}`;
  }
}

/** The dry pass's answer and csv-parse's (readExport's records, or its refusal), for the same bytes. */
async function both(bytes: Uint8Array, maxRows?: number) {
  const source = { name: 'cpoms.csv', bytes };
  const opts = maxRows === undefined ? {} : { maxRows };
  const dry = await outcome(() => countExport(source, connectors.cpoms, opts));
  const parsed = await outcome(async () => {
    let n = 0;
    for await (const _ of readExport(source, connectors.cpoms, opts)) n++;
    return n;
  });
  return { dry, parsed };
}

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('dry pass byte scanner (csv-count.ts)', () => {
  it('counts a plain export as csv-parse does, and is sure of it', async () => {
    const rows = Array.from(
      { length: 50 },
      (_, i) =>
        `INC${i},A12345678901${i % 10},01/02/2024 08:00,Bullying,"said ""hi"", then left\r\nnext line"`,
    );
    const bytes = enc(`\uFEFF${HEADER}\r\n${rows.join('\r\n')}\r\n\r\n,,,,\r\n  , ,\r\n`);
    expect(await both(bytes)).toEqual({ dry: 'rows 50', parsed: 'rows 50' });
    expect(await csvShape({ bytes }, ',', 'utf8')).toMatchObject({
      records: 51,
      firstWidth: 5,
      lastWidth: 5,
    });
  });

  it('hands odd files to csv-parse: an open quote, a quote mid-field, text after a closing quote', async () => {
    for (const tail of [
      '1,A,01/01/2024,B,"open',
      '1,A,01/01/2024,B,te"xt',
      '1,A,01/01/2024,B,"a"b',
      '"\u00a0"',
    ]) {
      const bytes = enc(`${HEADER}\n${tail}\n`);
      expect(await csvShape({ bytes }, ',', 'utf8')).toBeNull();
      const r = await both(bytes);
      expect(r.dry).toBe(r.parsed);
    }
  });

  it('a last row cut short is refused in the same words; too many rows too', async () => {
    const cut = enc(`${HEADER}\n1,A123456789012,01/01/2024,B,t\n2,A123456789012`);
    const r = await both(cut);
    expect(r.dry).toMatch(/^refused .*cut short/);
    expect(r.dry).toBe(r.parsed);
    const many = await both(enc(`${HEADER}\n1,A,d,c,t\n2,A,d,c,t\n3,A,d,c,t\n`), 2);
    expect(many.dry).toMatch(/IMPORT_MAX_ROWS/);
    expect(many.dry).toBe(many.parsed);
  });

  it('random CSV-like bytes: the same count or the same refusal as csv-parse', async () => {
    const pieces = [
      'a',
      'Z9',
      ' ',
      '\t',
      ',',
      ';',
      '"',
      '""',
      '\n',
      '\r\n',
      '\r',
      'é',
      '\u00a0',
      '\u2003',
      '1,2',
      '"x,y"',
      '"q""q"',
      '',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...pieces), { maxLength: 60 }),
        fc.boolean(),
        async (parts, bom) => {
          const bytes = enc(`${bom ? '\uFEFF' : ''}${HEADER}\n${parts.join('')}`);
          const r = await both(bytes);
          expect(r.dry).toBe(r.parsed);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random well-formed exports (quoted cells, blank lines, CR/LF/CRLF, short rows): same count', async () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9 /:>-]{0,12}$/),
      fc.stringMatching(/^[A-Za-z0-9 ,"\n]{0,12}$/).map((s) => `"${s.replaceAll('"', '""')}"`),
    );
    const row = fc.array(cell, { minLength: 1, maxLength: 7 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            row.map((cs) => cs.join(',')),
            fc.constantFrom('', ',,,,', ' , '),
          ),
          { maxLength: 30 },
        ),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        async (lines, eol, endWithEol) => {
          const text = [HEADER, ...lines].join(eol) + (endWithEol ? eol : '');
          const r = await both(enc(text));
          expect(r.dry).toBe(r.parsed);
        },
      ),
      { numRuns: 400 },
    );
  });
});
