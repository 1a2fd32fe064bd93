/**
 * Issue 6: how fast /slack/events acknowledges (Slack gives 3 s; the goal is p99 < 50 ms) at 200
 * requests/s on loopback, compared in the same run with a minimal Bolt app (HTTPReceiver, one no-op
 * listener) acking the same signed payload. Goal: hub p99 within 1.2× of the minimal app.
 *
 * The payload is an app_mention from a linked member of staff, each request with its own event_id and a
 * fresh signature. The hub does its real work after the ack (identity lookup in the database, the `help`
 * command, chat.postEphemeral) against a local fake Slack Web API, so the ack is measured under that load.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { App } from '@slack/bolt';
import { createApp, listen } from '../app/server.ts';
import { slackModule } from '../bots/slack/slack-module.ts';
import { signSlackRequest } from '../bots/slack/verify-signature.ts';
import type { Figure } from './figure.ts';
import { benchHub, benchScale, freshDb } from './support/bench-hub.ts';

export const description =
  '/slack/events ack latency p50/p99 at 200 req/s on loopback (hub with after-ack work) vs a minimal Bolt app acking the same payload';

const SECRET = 'bench-signing-secret-0123456789abcdef';
const TOKEN = 'xoxb-bench';
const TEAM = 'T0BENCH';
const RATE = 200;

/** The part of autocannon's API used here (the package ships no types). */
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number };
  non2xx: number;
  errors: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
type Measured = { p50: number; p99: number; non2xx: number; requests: number };

/** A Slack Web API stand-in on loopback: every method answers ok. */
async function fakeSlackApi(): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'B0BOT', team_id: TEAM, message_ts: '1.1' }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls: () => calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let seq = 0;
function signedMention(): { body: string; headers: Record<string, string> } {
  seq++;
  const body = JSON.stringify({
    token: 'legacy',
    team_id: TEAM,
    api_app_id: 'A0BENCH',
    type: 'event_callback',
    event_id: `EvBench${seq}`,
    event_time: 1764000000,
    event: {
      type: 'app_mention',
      user: 'U0BENCH',
      text: '<@UBOT> help',
      ts: `1764000000.${String(seq).padStart(6, '0')}`,
      channel: 'C0BENCH',
      event_ts: `1764000000.${String(seq).padStart(6, '0')}`,
    },
    authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true }],
  });
  const ts = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signSlackRequest(SECRET, ts, body),
    },
  };
}

async function measure(url: string, seconds: number, warm: boolean): Promise<Measured> {
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections: 20,
      overallRate: RATE,
      duration,
      requests: [
        {
          setupRequest: (req: Record<string, unknown>) => {
            const r = signedMention();
            return { ...req, method: 'POST', body: r.body, headers: r.headers };
          },
        },
      ],
    });
  if (warm) await run(1); // warm-up (JIT, connection pool, first Prisma queries)
  const r = await run(seconds);
  return { p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors, requests: r.requests.total };
}

/** Child process: serve one side (hub or minimal Bolt) and print its port; parent drives the load. */
async function serve(role: string, apiUrl: string): Promise<void> {
  if (role === 'hub') {
    const db = await freshDb('sqlite');
    const hub = await benchHub(db.url, {
      env: { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET },
      modules: [slackModule({ slackApiUrl: apiUrl })],
    });
    const org = await hub.dbh.db.organisation.create({ data: { name: 'Bench school' } });
    const staff = await hub.dbh.db.staff.create({
      data: {
        orgId: org.id,
        displayName: 'Bench Sendco',
        email: 'bench@school.example',
        roles: { create: [{ role: 'SENDCO' }] },
      },
    });
    await hub.staff.linkIdentity(staff.id, 'SLACK', TEAM, 'U0BENCH', { teamId: TEAM });
    const server = await listen(createApp(hub), 0, '127.0.0.1');
    process.stdout.write(`PORT ${server.port}\n`);
    process.on('SIGTERM', () => {
      void server.close().then(async () => {
        await hub.dbh.close();
        await db.drop();
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

async function spawnServer(role: string, apiUrl: string): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, SLACK_ACK_ROLE: role, SLACK_ACK_API: apiUrl },
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
  const seconds = Math.max(1, Math.round(2 * benchScale()));
  const rounds = 3;
  const api = await fakeSlackApi();
  const hubServer = await spawnServer('hub', api.url);
  const boltServer = await spawnServer('bolt', api.url);
  const hubRuns: Measured[] = [];
  const boltRuns: Measured[] = [];
  try {
    // Interleaved rounds (hub, Bolt, hub, Bolt …) so both sides see the same machine load.
    for (let i = 0; i < rounds; i++) {
      hubRuns.push(await measure(`http://127.0.0.1:${hubServer.port}/slack/events`, seconds, i === 0));
      boltRuns.push(await measure(`http://127.0.0.1:${boltServer.port}/slack/events`, seconds, i === 0));
    }
  } finally {
    await hubServer.stop();
    await boltServer.stop();
    await api.close();
  }
  const agg = (runs: Measured[]) => ({
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
  });
  const hubResult = agg(hubRuns);
  const boltResult = agg(boltRuns);
  const ratio = hubResult.p99 / Math.max(boltResult.p99, 0.001);
  return [
    { name: 'slack_ack.hub.p50', value: hubResult.p50, unit: 'ms' },
    { name: 'slack_ack.hub.p99', value: hubResult.p99, unit: 'ms', goal: '< 50', pass: hubResult.p99 < 50 },
    { name: 'slack_ack.bolt_minimal.p50', value: boltResult.p50, unit: 'ms' },
    { name: 'slack_ack.bolt_minimal.p99', value: boltResult.p99, unit: 'ms' },
    {
      name: 'slack_ack.p99_ratio_vs_minimal_bolt',
      value: Math.round(ratio * 100) / 100,
      unit: 'ratio',
      baseline: 'minimal Bolt app (HTTPReceiver, no-op listener) acking the same signed payload, same run',
      goal: '<= 1.2',
      pass: ratio <= 1.2,
    },
    { name: 'slack_ack.hub.requests', value: hubResult.requests, unit: 'count' },
    {
      name: 'slack_ack.hub.non_2xx',
      value: hubResult.non2xx,
      unit: 'count',
      goal: '0',
      pass: hubResult.non2xx === 0,
    },
    {
      name: 'slack_ack.bolt_minimal.non_2xx',
      value: boltResult.non2xx,
      unit: 'count',
      goal: '0',
      pass: boltResult.non2xx === 0,
    },
  ];
}

const role = process.env.SLACK_ACK_ROLE;
if (role) {
  void serve(role, process.env.SLACK_ACK_API ?? '');
} else if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (f) => console.table(f),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
