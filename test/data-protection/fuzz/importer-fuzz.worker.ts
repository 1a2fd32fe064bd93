/**
 * Runs one importer's fuzz property inside a worker thread, so the test can bound each case's time
 * (a watchdog terminates a worker that stops reporting progress: a hang) and memory (resourceLimits:
 * a blow-up kills the worker, not the test run). Posts `{ i }` before each case, then `done` or `fail`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { isDomainError } from '../../../core/errors.ts';
import { connectors, EXPORT_KINDS } from '../../../integrations/exports/connectors.ts';
import { parseExport } from '../../../integrations/exports/parse-export.ts';
import { readIcsFeed } from '../../../integrations/ics/read-ics-feed.ts';
import { csvCase, icsCase, mutate, rawBytesCase, xlsxMutation } from './arbitraries.ts';

const { target, seed, numRuns } = workerData as {
  target: 'csv' | 'xlsx' | 'ics';
  seed: number;
  numRuns: number;
};
let i = 0;
/** Report progress, with a short description of the case so a hang can be reproduced. */
const progress = (about: unknown) => parentPort!.postMessage({ type: 'case', i: i++, about });

/** The only acceptable failure is a coded refusal of the whole file; anything else is a crash. */
function refusedCleanly(err: unknown): boolean {
  return isDomainError(err) && err.code === 'IMPORT_FILE_REFUSED';
}

async function parseOk(
  kind: (typeof EXPORT_KINDS)[number],
  bytes: Uint8Array,
  fileName: string,
): Promise<void> {
  try {
    const r = await parseExport(kind, bytes, { fileName, maxRows: 5000 });
    for (const rej of r.rejections) {
      if (!Number.isInteger(rej.line) || rej.line < 1) throw new Error(`rejection with line ${rej.line}`);
      if (typeof rej.field !== 'string' || typeof rej.reason !== 'string' || !rej.reason)
        throw new Error('rejection without field or reason');
    }
    for (const row of r.rows)
      if (!Number.isInteger(row.line) || row.line < 1) throw new Error('row without line');
  } catch (err) {
    if (!refusedCleanly(err)) throw err;
  }
}

async function xlsxSeeds(): Promise<Uint8Array[]> {
  const seeds: Uint8Array[] = [];
  for (const kind of EXPORT_KINDS) {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Export');
    const fields = connectors[kind].fields;
    ws.addRow(fields.map((f) => f.synonyms[0] ?? f.name));
    for (let r = 0; r < 3; r++) ws.addRow(fields.map((f, c) => (c % 3 === 0 ? '=1+1' : `${f.name}-${r}`)));
    seeds.push(new Uint8Array(await wb.xlsx.writeBuffer()));
  }
  return seeds;
}

async function main() {
  const params = { seed, numRuns, endOnFailure: true };
  if (target === 'csv') {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: csvCase }, { weight: 1, arbitrary: rawBytesCase }),
        async (c) => {
          progress({ kind: c.kind, base64: Buffer.from(c.bytes).toString('base64').slice(0, 4000) });
          await parseOk(c.kind, c.bytes, 'fuzz.csv');
        },
      ),
      params,
    );
  } else if (target === 'xlsx') {
    const seeds = await xlsxSeeds();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EXPORT_KINDS), xlsxMutation, async (kind, m) => {
        progress({
          kind,
          seedKind: EXPORT_KINDS[m.seed % seeds.length],
          mutation: { ...m, splice: m.splice && [m.splice[0], Buffer.from(m.splice[1]).toString('hex')] },
        });
        const bytes = mutate(seeds[m.seed % seeds.length]!, m);
        await parseOk(kind, bytes, 'fuzz.xlsx');
      }),
      params,
    );
  } else {
    const window = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    fc.assert(
      fc.property(icsCase, (text) => {
        progress({ text: text.slice(0, 4000) });
        try {
          const out = readIcsFeed(text, 'fuzz.ics', window);
          if (!Array.isArray(out)) throw new Error('not an array');
          for (const o of out) if (Number.isNaN(o.start.getTime())) throw new Error('invalid start date');
        } catch (err) {
          if (!refusedCleanly(err)) throw err;
        }
      }),
      params,
    );
  }
  parentPort!.postMessage({ type: 'done', cases: i });
}

main().catch((err: unknown) => {
  parentPort!.postMessage({
    type: 'fail',
    cases: i,
    error: `${err instanceof Error ? err.message : String(err)}${
      err instanceof Error && err.cause instanceof Error
        ? `\nCaused by: ${err.cause.stack ?? err.cause.message}`
        : ''
    }`,
  });
});
