/**
 * Issue 15, point 15: GET /healthz under 200 concurrent connections (a load balancer, an uptime checker and
 * an attacker asking at once). Before the fix every request ran the database checks: p99 1.15 s and 58
 * time-outs. Goal: p99 < 50 ms, no errors or time-outs.
 *
 * Like for like, in the same run: the baseline is a bare `node:http` server answering a constant JSON body
 * of the same size, in a child process started the same way as the hub's. The hub is the deployed one
 * (`startHub` with every default module, the demo school in SQLite, the scheduler and the delivery loop
 * running, logs at info level to /dev/null). Rounds are interleaved (hub, bare, hub, bare …) so both see
 * the same machine load; each figure is the median over rounds.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../app/config/index.ts';
import { createLogger } from '../app/logger.ts';
import { startHub } from '../app/start.ts';
import type { Figure } from './figure.ts';
import { benchScale, freshDb } from './support/bench-hub.ts';

export const description =
  'GET /healthz p50/p99 at 200 connections (hub with every module) vs a bare node:http server answering a constant';

const CONNECTIONS = 200;

/** The part of autocannon's API used here (the package ships no types). */
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
type Measured = { p50: number; p99: number; bad: number; requests: number };

async function measure(url: string, seconds: number): Promise<Measured> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, timeout: 10 });
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.non2xx + r.errors + r.timeouts,
    requests: r.requests.total,
  };
}

/** Child process: serve one side and print its port. */
async function serve(role: string): Promise<void> {
  if (role === 'bare') {
    const body = JSON.stringify({ status: 'ok', version: '0.1.0' });
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
    return;
  }
  const db = await freshDb('sqlite');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-bench-healthz-'));
  const config = loadConfig(
    {
      SEND_HUB_ENV: 'test',
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'bench1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      CONSOLE_CHANNEL: 'off',
      DEMO: 'on',
      METRICS_TOKEN: 'bench-metrics-token-0123456789abcdef',
    },
    dataDir,
  );
  const running = await startHub(
    config,
    createLogger('info', pino.destination({ dest: '/dev/null', sync: false })),
    { stdout: fs.createWriteStream('/dev/null') },
  );
  process.stdout.write(`PORT ${running.server.port}\n`);
  process.on('SIGTERM', () => {
    void running.stop().then(async () => {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

async function spawnServer(role: string): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, HEALTHZ_BENCH_ROLE: role },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${role} server exited (${code})`)));
  });
  return {
    port,
    stop: () =>
      new Promise((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function run(): Promise<Figure[]> {
  const seconds = Math.max(1, Math.round(3 * benchScale()));
  const rounds = 3;
  const hub = await spawnServer('hub');
  const bare = await spawnServer('bare');
  const hubRuns: Measured[] = [];
  const bareRuns: Measured[] = [];
  try {
    // Warm-up (JIT, sockets, the first computation of the figures), not counted.
    await measure(`http://127.0.0.1:${hub.port}/healthz`, 1);
    await measure(`http://127.0.0.1:${bare.port}/healthz`, 1);
    for (let i = 0; i < rounds; i++) {
      hubRuns.push(await measure(`http://127.0.0.1:${hub.port}/healthz`, seconds));
      bareRuns.push(await measure(`http://127.0.0.1:${bare.port}/healthz`, seconds));
    }
  } finally {
    await hub.stop();
    await bare.stop();
  }
  const agg = (runs: Measured[]) => ({
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    bad: runs.reduce((a, r) => a + r.bad, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
  });
  const h = agg(hubRuns);
  const b = agg(bareRuns);
  const ratio = h.p99 / Math.max(b.p99, 0.001);
  return [
    { name: 'healthz.hub.p50', value: h.p50, unit: 'ms' },
    { name: 'healthz.hub.p99', value: h.p99, unit: 'ms', goal: '< 50', pass: h.p99 < 50 },
    { name: 'healthz.bare_http.p50', value: b.p50, unit: 'ms' },
    { name: 'healthz.bare_http.p99', value: b.p99, unit: 'ms' },
    {
      name: 'healthz.p99_ratio_vs_bare_http',
      value: Math.round(ratio * 100) / 100,
      unit: 'ratio',
      baseline: 'bare node:http server answering the same constant JSON, 200 connections, same run',
    },
    { name: 'healthz.hub.requests', value: h.requests, unit: 'count' },
    { name: 'healthz.hub.errors_and_timeouts', value: h.bad, unit: 'count', goal: '0', pass: h.bad === 0 },
  ];
}

const role = process.env.HEALTHZ_BENCH_ROLE;
if (role) {
  void serve(role);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (f) => console.table(f),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
