#!/usr/bin/env node
// The `send-hub` command. The hub is TypeScript run through tsx's loader (no build step to forget).
import { register } from 'tsx/esm/api';

register();
await import('../app/cli.ts');
