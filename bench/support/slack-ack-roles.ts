/**
 * The child processes of bench/slack-ack.bench.ts: the Slack Web API stand-in, the deployed hub and the
 * minimal Bolt app. Each prints `PORT <n>` when it listens and stops on SIGTERM.
 */
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { App } from '@slack/bolt';
import pino from 'pino';
import { loadConfig } from '../../app/config/index.ts';
import { createLogger } from '../../app/logger.ts';
import { defaultModules } from '../../app/modules.ts';
import { closeServer, SERVER_TIMEOUTS } from '../../app/server-timeouts.ts';
import { startHub } from '../../app/start.ts';
import { slackModule } from '../../bots/slack/slack-module.ts';
import { freshDb } from './bench-hub.ts';

/**
 * Event-loop delay over an interval, in ms, and what held the loop: garbage collections (count, total ms)
 * and better-sqlite3 statements on this thread taking 2 ms or more (count, total ms; the side writer's
 * worker thread has its own copy of the driver and is not counted).
 */
export type LoopDelay = {
  p50: number;
  p99: number;
  max: number;
  gcs: number;
  gcMs: number;
  sqliteStalls: number;
  sqliteStallMs: number;
  /** Bytes the JS heap allocated over the interval (v8.GCProfiler: the heap before each collection less after the previous). */
  allocated: number;
};

/** Bytes allocated on the JS heap since `start`, from each collection's before/after heap sizes. */
function allocationMeter(): () => number {
  let profiler = new v8.GCProfiler();
  let used = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  return () => {
    const stats = profiler.stop() as unknown as {
      statistics: {
        beforeGC: { heapStatistics: { usedHeapSize: number } };
        afterGC: { heapStatistics: { usedHeapSize: number } };
      }[];
    };
    let allocated = 0;
    for (const g of stats.statistics) {
      allocated += g.beforeGC.heapStatistics.usedHeapSize - used;
      used = g.afterGC.heapStatistics.usedHeapSize;
    }
    const now = v8.getHeapStatistics().used_heap_size;
    allocated += now - used;
    used = now;
    profiler = new v8.GCProfiler();
    profiler.start();
    return allocated;
  };
}

/** Time the synchronous better-sqlite3 calls of this thread (the driver under Prisma's adapter). */
function countSqliteStalls(onStall: (ms: number) => void): void {
  const Database = createRequire(import.meta.url)('better-sqlite3') as {
    prototype: { prepare(this: unknown, ...a: unknown[]): Record<string, unknown> };
  };
  const proto = Database.prototype;
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, ...a: unknown[]) {
    const stmt = prepare.apply(this, a);
    for (const name of ['run', 'all', 'get', 'iterate']) {
      const f = stmt[name];
      if (typeof f !== 'function') continue;
      stmt[name] = function (this: unknown, ...args: unknown[]) {
        const t = performance.now();
        try {
          return f.apply(this, args);
        } finally {
          const ms = performance.now() - t;
          if (ms >= 2) onStall(ms);
        }
      };
    }
    return stmt;
  };
}

/**
 * The event-loop delay of this child (perf_hooks, 1 ms resolution), sent to the parent on each 'loop'
 * message and reset: what stalls the server's loop (synchronous work, GC, waiting for a core).
 */
function answerLoopDelay(): void {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const held = { gcs: 0, gcMs: 0, sqliteStalls: 0, sqliteStallMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      held.gcs++;
      held.gcMs += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  countSqliteStalls((ms) => {
    held.sqliteStalls++;
    held.sqliteStallMs += ms;
  });
  const allocated = allocationMeter();
  const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
  process.on('message', (m) => {
    if (m !== 'loop') return;
    process.send?.({
      loop: {
        p50: ms(h.percentile(50)),
        p99: ms(h.percentile(99)),
        max: ms(h.max),
        gcs: held.gcs,
        gcMs: Math.round(held.gcMs),
        sqliteStalls: held.sqliteStalls,
        sqliteStallMs: Math.round(held.sqliteStallMs),
        allocated: allocated(),
      },
    });
    h.reset();
    Object.assign(held, { gcs: 0, gcMs: 0, sqliteStalls: 0, sqliteStallMs: 0 });
  });
}

export const SECRET = 'bench-signing-secret-0123456789abcdef';
export const TOKEN = 'xoxb-bench';
export const TEAM = 'T0BENCH';

/**
 * A Slack Web API stand-in on loopback (its own process): every method answers ok. GET /count tells how
 * many chat.postEphemeral calls (the hub's replies to the mentions) it has had.
 */
async function serveFakeSlackApi(): Promise<void> {
  let replies = 0;
  // The hub's own server timeouts (keep-alive 65 s), so the hub's replies never meet Node's default 5 s.
  const server = http.createServer(SERVER_TIMEOUTS, (req, res) => {
    if (req.method === 'GET' && req.url === '/count') {
      res.end(String(replies));
      return;
    }
    if (req.url?.endsWith('/chat.postEphemeral')) replies++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'B0BOT', team_id: TEAM, message_ts: '1.1' }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
  process.on('SIGTERM', () => void closeServer(server).then(() => process.exit(0)));
}

/** Child process: serve one side (Slack API stand-in, hub or minimal Bolt) and print its port. */
export async function serve(role: string, apiUrl: string): Promise<void> {
  if (role === 'api') return serveFakeSlackApi();
  answerLoopDelay();
  if (role === 'hub') {
    const db = await freshDb('sqlite');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-bench-slack-'));
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
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
      },
      dataDir,
    );
    const running = await startHub(
      config,
      createLogger('info', pino.destination({ dest: '/dev/null', sync: false })),
      {
        modules: [
          ...defaultModules().filter((m) => m.name !== 'slack'),
          slackModule({ slackApiUrl: apiUrl }),
        ],
        stdout: fs.createWriteStream('/dev/null'),
      },
    );
    const hub = running.hub;
    const org = (await hub.orgs.all())[0];
    const sendco = org ? (await hub.staff.withRole(org.id, 'SENDCO'))[0] : undefined;
    if (!sendco) throw new Error('demo school has no SENDCo');
    await hub.staff.linkIdentity(sendco.id, 'SLACK', TEAM, 'U0BENCH', { teamId: TEAM });
    process.stdout.write(`PORT ${running.server.port}\n`);
    process.on('SIGTERM', () => {
      void running.stop().then(async () => {
        await db.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    });
    return;
  }
  const bolt = new App({ signingSecret: SECRET, token: TOKEN, clientOptions: { slackApiUrl: apiUrl } });
  bolt.event('app_mention', async () => {});
  const boltServer = (await bolt.start(0)) as http.Server;
  process.stdout.write(`PORT ${(boltServer.address() as AddressInfo).port}\n`);
  process.on('SIGTERM', () => {
    void bolt.stop().then(() => process.exit(0));
  });
}
