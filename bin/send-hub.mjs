#!/usr/bin/env node
// The `send-hub` command. The hub is TypeScript run through tsx's loader (no build step to forget).
import { register } from 'tsx/esm/api';

register();
// `send-hub import …` is a smaller program (no Teams/Slack SDKs or HTTP server in memory while a big file
// streams in): app/imports/import-main.ts.
await import(process.argv[2] === 'import' ? '../app/imports/import-main.ts' : '../app/cli.ts');
