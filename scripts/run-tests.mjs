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

const args = ['vitest', 'run', ...process.argv.slice(2)];
const res = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', ...args.slice(1)], {
  stdio: 'inherit',
  env: { ...process.env, SEND_HUB_TEST_PG: havePg ? '1' : '0', TZ: 'UTC' },
});
if (!havePg)
  console.log(
    'NOTE: PostgreSQL tests were skipped (no server). Set TEST_POSTGRES_URL or start PostgreSQL to run them.',
  );
process.exit(res.status ?? 1);
