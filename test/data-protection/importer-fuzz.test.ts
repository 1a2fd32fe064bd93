/**
 * Fuzzing the importers (issue 10): CSV, XLSX and ICS, FUZZ_RUNS cases each (10,000 by default; the CI
 * figure), with zero crashes (only a coded "file refused" is an acceptable failure), zero hangs (a case
 * that stops making progress for CASE_TIMEOUT_MS fails the test) and bounded memory (the worker's heap is
 * capped; a blow-up kills the worker and fails the test). The seed is printed with any failure so a
 * counterexample can be replayed: FUZZ_SEED=<seed>.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Generous for a loaded 2-core CI box; a real hang never reports again. */
const CASE_TIMEOUT_MS = 10_000;
const HEAP_MB = 256;
/** Loading the importers in a fresh thread (TypeScript transform) before the first case. */
const STARTUP_MS = 180_000;

function runFuzz(target: 'csv' | 'xlsx' | 'ics'): Promise<{ cases: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fuzz/worker-bootstrap.mjs', import.meta.url), {
      workerData: { target, seed: SEED, numRuns: RUNS },
      resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 32 },
    });
    let last = -1;
    let about: unknown;
    let timer: NodeJS.Timeout;
    const arm = (ms = CASE_TIMEOUT_MS) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        reject(
          new Error(
            `${target}: case ${last} ran over ${CASE_TIMEOUT_MS} ms (a hang); replay with FUZZ_SEED=${SEED}; input: ${JSON.stringify(about)}`,
          ),
        );
      }, ms);
    };
    arm(STARTUP_MS);
    worker.on(
      'message',
      (m: { type: string; i?: number; cases?: number; error?: string; about?: unknown }) => {
        if (m.type === 'case') {
          last = m.i!;
          about = m.about;
          arm();
        } else {
          clearTimeout(timer);
          void worker.terminate();
          if (m.type === 'done') resolve({ cases: m.cases! });
          else
            reject(
              new Error(`${target}: crash at case ${m.cases}; replay with FUZZ_SEED=${SEED}\n${m.error}`),
            );
        }
      },
    );
    worker.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${target}: worker died at case ${last} (${(err as NodeJS.ErrnoException).code ?? err.message}); heap cap ${HEAP_MB} MB; replay with FUZZ_SEED=${SEED}`,
        ),
      );
    });
  });
}

describe('importer fuzzing', () => {
  for (const target of (process.env.FUZZ_TARGETS?.split(',') ?? ['csv', 'xlsx', 'ics']) as (
    | 'csv'
    | 'xlsx'
    | 'ics'
  )[]) {
    it(
      `${target}: ${RUNS} hostile inputs, no crash, no hang, bounded memory`,
      { timeout: 600_000 },
      async () => {
        const r = await runFuzz(target);
        expect(r.cases).toBeGreaterThanOrEqual(RUNS);
      },
    );
  }
});
