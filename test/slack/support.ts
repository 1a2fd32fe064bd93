/**
 * A whole hub with the Slack module on a real express server on loopback, and Slack-signed requests in
 * the real wire formats (JSON events, form-encoded slash commands, form-encoded `payload` interactivity).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { loadConfig } from '../../app/config/index.ts';
import { createHub, type Hub } from '../../app/container.ts';
import { createLogger } from '../../app/logger.ts';
import { defaultModules } from '../../app/modules.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import { type SlackService, slackModule } from '../../bots/slack/slack-module.ts';
import { signSlackRequest } from '../../bots/slack/verify-signature.ts';
import type { Actor } from '../../core/ports.ts';
import type { Provider } from '../../store/db.ts';
import { FakeClock } from '../support/clock.ts';
import { HEALTH_TOKEN } from '../support/health.ts';
import { CaptureStream, capturedLogLines, startTestHub, type TestHub } from '../support/hub.ts';

export const SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-token';
export const TEAM = 'T0SCHOOL1';
export const SLACK = 'https://slack.com';

export interface SlackHub {
  t: TestHub;
  hub: Hub;
  server: RunningServer;
  base: string;
  slack: SlackService;
  close(): Promise<void>;
}

export async function startSlackHub(provider: Provider, env: Record<string, string> = {}): Promise<SlackHub> {
  const t = await startTestHub(provider, {
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      DEADLINE_PLAN_INTERVAL_SECONDS: '0',
      METRICS_TOKEN: HEALTH_TOKEN,
      ...env,
    },
    // Posts to one channel are spaced 1 s apart in production; no real waiting in tests.
    modules: [...defaultModules().filter((m) => m.name !== 'slack'), slackModule({ minIntervalMs: 0 })],
  });
  const server = await listen(createApp(t.hub), 0, '127.0.0.1');
  const slack = t.hub.services.get('slack') as SlackService;
  return {
    t,
    hub: t.hub,
    server,
    base: `http://127.0.0.1:${server.port}`,
    slack,
    async close() {
      await t.hub.modules.find((m) => m.name === 'slack')?.stop?.(t.hub);
      await slack.idle();
      await server.close();
      await t.close();
    },
  };
}

/** What the request helpers below need: a hub (for its clock) and its base URL. */
export type SlackEndpoint = Pick<SlackHub, 'hub' | 'base'>;

export interface SlackReplica extends SlackEndpoint {
  server: RunningServer;
  slack: SlackService;
  logOut: CaptureStream;
  close(): Promise<void>;
}

/**
 * A second hub on the same database as `first` (another replica behind the load balancer): its own
 * process state (in-memory caches, event map), its own HTTP server, the same clock time and Slack app.
 */
export async function startSlackReplica(first: SlackHub): Promise<SlackReplica> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-replica-'));
  const config = loadConfig(
    {
      SEND_HUB_ENV: 'test',
      DATABASE_URL: first.t.url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      LOG_LEVEL: 'debug',
      PORT: '0',
      HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      DEADLINE_PLAN_INTERVAL_SECONDS: '0',
    },
    dataDir,
  );
  const logOut = new CaptureStream(capturedLogLines);
  const hub = await createHub(config, createLogger('debug', logOut), {
    clock: new FakeClock(first.hub.clock.now().toISOString()),
    channels: [],
    modules: [...defaultModules().filter((m) => m.name !== 'slack'), slackModule({ minIntervalMs: 0 })],
    workerId: 'test-replica',
  });
  const server = await listen(createApp(hub), 0, '127.0.0.1');
  const slack = hub.services.get('slack') as SlackService;
  return {
    hub,
    server,
    base: `http://127.0.0.1:${server.port}`,
    slack,
    logOut,
    async close() {
      await hub.modules.find((m) => m.name === 'slack')?.stop?.(hub);
      await slack.idle();
      await server.close();
      await hub.dbh.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SendOptions {
  /** Seconds since epoch for X-Slack-Request-Timestamp; default: the hub clock. */
  timestamp?: number;
  signature?: string;
  omit?: ('signature' | 'timestamp')[];
  headers?: Record<string, string>;
}

async function send(h: SlackEndpoint, raw: string, contentType: string, o: SendOptions = {}) {
  const ts = o.timestamp ?? Math.floor(h.hub.clock.now().getTime() / 1000);
  const headers: Record<string, string> = { 'content-type': contentType, ...o.headers };
  if (!o.omit?.includes('timestamp')) headers['x-slack-request-timestamp'] = String(ts);
  if (!o.omit?.includes('signature'))
    headers['x-slack-signature'] = o.signature ?? signSlackRequest(SECRET, ts, raw);
  const res = await fetch(`${h.base}/slack/events`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown> | undefined };
}

export const postJson = (h: SlackEndpoint, body: unknown, o?: SendOptions) =>
  send(h, JSON.stringify(body), 'application/json', o);

export const postForm = (h: SlackEndpoint, fields: Record<string, string>, o?: SendOptions) =>
  send(h, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', o);

export const postInteraction = (h: SlackEndpoint, payload: unknown, o?: SendOptions) =>
  postForm(h, { payload: JSON.stringify(payload) }, o);

let seq = 0;
/** An Events API envelope. */
export function eventCallback(event: Record<string, unknown>, eventId = `Ev${++seq}`) {
  return {
    token: 'legacy-verification-token',
    team_id: TEAM,
    api_app_id: 'A0SENDHUB',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: 1764000000,
    authorizations: [{ team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  };
}

export interface School {
  orgId: string;
  sam: Actor;
  admin: Actor;
}

/** An organisation with a SENDCo (Sam, linked by email to Slack user U0SAM) and an admin. */
export async function seedSchool(hub: Hub): Promise<School> {
  const db = hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Slack Test School (fictional)' } });
  const mk = async (displayName: string, email: string, roles: ('SENDCO' | 'ADMIN' | 'DSL')[]) => {
    const s = await db.staff.create({
      data: { orgId: org.id, displayName, email, roles: { create: roles.map((role) => ({ role })) } },
    });
    return (await hub.staff.actorForStaff(s.id)) as Actor;
  };
  const sam = await mk('Sam Sendco', 'sam@school.example', ['SENDCO', 'DSL']);
  const admin = await mk('Ada Admin', 'ada@school.example', ['ADMIN']);
  return { orgId: org.id, sam, admin };
}

/** users.info for a Slack user with a given profile email. */
export function nockUserInfo(userId: string, email: string, name = 'Sam Sendco') {
  return nock(SLACK)
    .post('/api/users.info', (b) => b.user === userId)
    .reply(200, {
      ok: true,
      user: { id: userId, team_id: TEAM, real_name: name, profile: { email, real_name: name } },
    });
}

/** Link Slack user U0SAM to Sam directly (most tests are not about linking). */
export async function linkSam(hub: Hub, school: School, userId = 'U0SAM') {
  await hub.staff.linkIdentity(school.sam.staffId, 'SLACK', TEAM, userId, { teamId: TEAM });
}

/** Parse the `blocks` argument the Web API client sent (form-encoded JSON string). */
export function blocksOf(body: Record<string, unknown>): { type: string; [k: string]: unknown }[] {
  const b = body.blocks;
  return typeof b === 'string' ? JSON.parse(b) : ((b as never) ?? []);
}
