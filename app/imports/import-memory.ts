/**
 * V8 tuning for the one-shot `send-hub import` process (app/imports/import-main.ts), never for the
 * long-running hub. bin/send-hub.mjs calls tuneForImport() right after tsx is registered and before the
 * import program's modules load (issue 4: peak memory < 300 MB; docs/imports.md "Memory").
 *
 * The process is node + tsx + Prisma's query compiler (WebAssembly) + the import modules (~230 MB RSS
 * before any row, untuned) and then streams: little stays alive (~60-70 MB of heap) but a lot of
 * short-lived garbage is made (Prisma compiles a query plan per statement). Four flags, each measured on an
 * 80,000-row file (bench/import-cpoms.bench.ts, `import_cpoms.cli.peak_rss_mb`):
 *
 * - `--heap-growing-percent=20`: on a machine with a lot of RAM V8 lets the old generation grow to about 4x
 *   what survived the last full collection before it collects again (a 20,000-row file peaked at ~500 MB).
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial 1 MB semi-spaces instead of
 *   doubling up to 16 MB each (new space reserves 3 of them); the import's garbage dies young either way.
 *   Same effect as `--max-semi-space-size=1`, which V8 only reads at start-up, whereas the growth factor
 *   is read at each scavenge, so it can be set here, before the modules load, without a second process.
 * - `--wasm-num-compilation-tasks=1`: V8 compiles Prisma's ~3 MB query-compiler module with TurboFan in
 *   background tasks, each with its own compiler memory; one task at a time keeps that peak small (the
 *   module is compiled when the first query runs, after this call). Same code, so no slower queries.
 * - `--liftoff-only`: that module is compiled by V8's baseline WebAssembly compiler only, never tiered up
 *   to TurboFan: ~45-70 MB less peak RSS (TurboFan's compiler memory and optimised code) and ~0.5 s less
 *   start-up. The compiled code is slower, but the import process runs few Prisma statements: on SQLite
 *   the batches go through better-sqlite3 (store/sqlite-incident-batch.ts), on PostgreSQL one raw
 *   statement per table per batch. Measured (issue 18, docs/imports.md "Memory"): CPU time unchanged within
 *   the noise on both providers. Rejected earlier (+36% CPU) when every batch still went through Prisma.
 *
 * `v8.setFlagsFromString` after start-up is allowed for flags V8 reads when it uses them, as these are;
 * Node documents the call as "use with care". An explicit `--max-old-space-size` in NODE_OPTIONS still
 * bounds the heap as usual.
 */
import v8 from 'node:v8';

export const IMPORT_V8_FLAGS = [
  '--heap-growing-percent=20',
  '--semi-space-growth-factor=1',
  '--wasm-num-compilation-tasks=1',
  '--liftoff-only',
] as const;

export function tuneForImport(): void {
  for (const flag of IMPORT_V8_FLAGS) v8.setFlagsFromString(flag);
}
