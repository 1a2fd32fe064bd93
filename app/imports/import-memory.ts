/**
 * Heap tuning for the one-shot `send-hub import` process (app/imports/import-main.ts), never for the
 * long-running hub. A streaming import keeps little alive (~60 MB of heap after a full collection, most of
 * it the hub's own code) but makes a lot of short-lived garbage (Prisma compiles a query plan per
 * statement, several MB as large strings that go straight to the old generation). On a machine with a lot
 * of RAM V8 lets the old generation grow to about 4x what survived the last full collection before it
 * collects again, so a 20,000-row file peaked at ~500 MB RSS. Growing the heap by at most
 * HEAP_GROWING_PERCENT per collection keeps the import near its live size (~320 MB RSS peak, measured:
 * bench/import-cpoms.bench.ts) for a few more full collections.
 *
 * `v8.setFlagsFromString` after start-up is allowed for flags V8 reads at each collection, as this one
 * is; Node documents the call as "use with care". An explicit `--max-old-space-size` in NODE_OPTIONS
 * still bounds the heap as usual.
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

export function tuneHeapForImport(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
