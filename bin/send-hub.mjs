#!/usr/bin/env node
// The `send-hub` command. The hub is TypeScript run through tsx's loader (no build step to forget).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledImport } from './compiled-import.mjs';

// `send-hub import …` is a smaller program (no Teams/Slack SDKs or HTTP server in memory while a big file
// streams in): app/imports/import-main.ts. Its V8 tuning (heap growth, young generation, WebAssembly
// compilation) is set before its modules load: app/imports/import-memory.ts.
// When `npm install` compiled it (scripts/build-import.mjs, dist/import/) and the build is up to date with
// the sources (bin/compiled-import.mjs), it runs as plain JavaScript, without tsx's loader thread (~25 MB,
// issue 18); otherwise from the sources, through tsx, as every other command.
// A reader that stops early (`send-hub rules | head`, `send-hub import … | head`) closes the pipe: the
// command's work goes on (an import still finishes and records its run), what it would have printed goes
// nowhere, and it exits as it would have, not with an EPIPE stack trace.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
  process.stdout.write = () => true;
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = process.argv[2] === 'import' ? compiledImport(root) : null;
// SEND_HUB_LAUNCH_TRACE=1 says on stderr which one runs (test/foundation/compiled-import.test.ts).
if (process.env.SEND_HUB_LAUNCH_TRACE === '1')
  process.stderr.write(
    `send-hub: ${compiled ? `compiled ${path.relative(root, compiled)}` : 'sources (tsx)'}\n`,
  );
if (compiled) {
  const { tuneForImport } = await import(path.join(compiled, 'import-memory.js'));
  tuneForImport();
  await import(path.join(compiled, 'import-main.js'));
} else {
  const { register: registerHooks } = await import('node:module');
  const { register } = await import('tsx/esm/api');
  register();
  // zod's 47 unused locales are not loaded (bin/zod-english.mjs).
  registerHooks('./zod-english.mjs', import.meta.url);
  if (process.argv[2] === 'import') {
    // Its Prisma client loads the query compiler built for size (bin/small-query-compiler.mjs).
    registerHooks('./small-query-compiler.mjs', import.meta.url);
    const { tuneForImport } = await import('../app/imports/import-memory.ts');
    tuneForImport();
    await import('../app/imports/import-main.ts');
  } else {
    await import('../app/cli.ts');
  }
}
