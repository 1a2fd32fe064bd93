#!/usr/bin/env node
// The `send-hub` command. The hub is TypeScript run through tsx's loader (no build step to forget).
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// zod's 47 unused locales are not loaded (bin/zod-english.mjs).
registerHooks('./zod-english.mjs', import.meta.url);
// `send-hub import …` is a smaller program (no Teams/Slack SDKs or HTTP server in memory while a big file
// streams in): app/imports/import-main.ts.
// Its V8 tuning (heap growth, young generation, WebAssembly compilation) is set before its modules load:
// app/imports/import-memory.ts.
// Its Prisma client loads the query compiler built for size (bin/small-query-compiler.mjs).
if (process.argv[2] === 'import') {
  registerHooks('./small-query-compiler.mjs', import.meta.url);
  const { tuneForImport } = await import('../app/imports/import-memory.ts');
  tuneForImport();
  await import('../app/imports/import-main.ts');
} else {
  await import('../app/cli.ts');
}
