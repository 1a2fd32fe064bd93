#!/usr/bin/env node
// `npm test`: probes the local PostgreSQL, then runs the whole suite on SQLite and (when reachable)
// PostgreSQL. Under CI (CI=true) PostgreSQL is required: it is started if it is installed but stopped,
// and the run fails if it still cannot be reached. Elsewhere its absence is said plainly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';

const url = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const ci = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase());

async function reachable() {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function tryStartPostgres() {
  if (!fs.existsSync('/etc/postgresql')) return;
  for (const version of fs.readdirSync('/etc/postgresql')) {
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
}

let havePg = await reachable();
if (!havePg && ci) {
  console.log('PostgreSQL is not reachable; starting the local server (CI requires the PostgreSQL tests).');
  tryStartPostgres();
  for (let i = 0; i < 20 && !havePg; i++) {
    await new Promise((r) => setTimeout(r, 500));
    havePg = await reachable();
  }
  if (!havePg) {
    console.error(
      `CI: PostgreSQL tests are required but ${url.replace(/\/\/[^@]*@/, '//')} cannot be reached.`,
    );
    process.exit(1);
  }
}
if (!havePg) {
  console.log(
    `NOTE: PostgreSQL is not reachable at ${url.replace(/\/\/[^@]*@/, '//')}: the PostgreSQL tests are SKIPPED; SQLite tests run.`,
  );
}

// Tests of real replica processes racing a fake platform's rate limit measure wall-clock behaviour: run
// beside the rest of the suite (the XLSX fuzzer alone keeps both cores busy for minutes) they see sends
// late by seconds. They run afterwards, one file at a time. Given file filters, one plain run.
const serial = ['test/scale/replicas.test.ts', 'test/scale/shared-rate-limit.test.ts'];
const extra = process.argv.slice(2);
const env = { ...process.env, SEND_HUB_TEST_PG: havePg ? '1' : '0', TZ: 'UTC' };
const vitest = (args) =>
  spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { stdio: 'inherit', env })
    .status ?? 1;
let status;
if (extra.length > 0) status = vitest(extra);
else {
  status = vitest(serial.flatMap((f) => ['--exclude', f]));
  console.log('\nReplica and rate-limit tests (real processes), one file at a time:');
  status = vitest([...serial, '--no-file-parallelism']) || status;
}
if (!havePg)
  console.log(
    'NOTE: PostgreSQL tests were skipped (no server). Set TEST_POSTGRES_URL or start PostgreSQL to run them.',
  );
process.exit(status);
