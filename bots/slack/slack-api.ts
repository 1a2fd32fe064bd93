/**
 * The Slack Web API as the adapter uses it: a bot token per workspace (one configured token, or the
 * OAuth installation from the database), one WebClient per token, and errors classified once
 * (habit 5): 429 → throttled with Retry-After; channel/user gone → not_found; 5xx/network → transient.
 * The WebClient's own retries are off so the outbox, not a hidden loop, owns retrying and ordering.
 */
import http from 'node:http';
import https from 'node:https';
import { webApi } from '@slack/bolt';
import type { DeliveryResult } from '../../core/ports.ts';
import type { SlackInstallationStore } from '../../store/slack-installation-store.ts';

export type WebClient = InstanceType<typeof webApi.WebClient>;

/** Errors that mean "this recipient/conversation is not there": retrying will not help. */
const NOT_FOUND = new Set([
  'channel_not_found',
  'user_not_found',
  'account_inactive',
  'is_archived',
  'not_in_channel',
  'cannot_dm_bot',
  'user_disabled',
  'team_access_not_granted',
]);
/** Final errors of our own making or configuration (a bad token, a block Slack refused). */
const PERMANENT = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'restricted_action',
  'invalid_metadata_format',
]);

export interface ApiOptions {
  botToken?: string;
  installations?: SlackInstallationStore;
  /** Override for tests or a proxy; default https://slack.com/api/. */
  slackApiUrl?: string;
  timeoutMs?: number;
}

export class SlackApi {
  private readonly clients = new Map<string, WebClient>();
  private readonly tokenCache = new Map<string, { token: string; botUserId?: string; botId?: string }>();

  constructor(private readonly options: ApiOptions) {}

  get multiWorkspace(): boolean {
    return !this.options.botToken;
  }

  client(token: string): WebClient {
    let c = this.clients.get(token);
    if (!c) {
      c = new webApi.WebClient(token, {
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
        timeout: this.options.timeoutMs ?? 10_000,
        ...(this.options.slackApiUrl ? { slackApiUrl: this.options.slackApiUrl } : {}),
        logLevel: webApi.LogLevel.ERROR,
      });
      this.clients.set(token, c);
    }
    return c;
  }

  /** The bot token (and bot ids when known) for a workspace. */
  async authFor(
    teamId: string | undefined,
    enterpriseId?: string,
    isEnterpriseInstall = false,
  ): Promise<{ token: string; botUserId?: string; botId?: string }> {
    if (this.options.botToken) {
      return this.tokenCache.get('') ?? { token: this.options.botToken };
    }
    const key = `${enterpriseId ?? ''}:${isEnterpriseInstall ? '' : (teamId ?? '')}`;
    const cached = this.tokenCache.get(key);
    if (cached) return cached;
    if (!this.options.installations) throw new Error('no Slack bot token and no installation store');
    const inst = await this.options.installations.fetchInstallation({
      teamId,
      enterpriseId,
      isEnterpriseInstall,
    });
    const token = inst.bot?.token;
    if (!token) throw new Error(`Slack installation for ${key} has no bot token`);
    const auth = {
      token,
      ...(inst.bot?.userId ? { botUserId: inst.bot.userId } : {}),
      ...(inst.bot?.id ? { botId: inst.bot.id } : {}),
    };
    this.tokenCache.set(key, auth);
    return auth;
  }

  /** Remember the bot's own ids (from auth.test) for the single-token workspace. */
  rememberBot(botUserId: string | undefined, botId: string | undefined): void {
    if (!this.options.botToken) return;
    this.tokenCache.set('', {
      token: this.options.botToken,
      ...(botUserId ? { botUserId } : {}),
      ...(botId ? { botId } : {}),
    });
  }

  /** Forget a cached token (after token_revoked / app_uninstalled). */
  forget(teamId: string): void {
    for (const k of [...this.tokenCache.keys()]) if (k.endsWith(`:${teamId}`)) this.tokenCache.delete(k);
  }

  async forTeam(teamId: string | undefined): Promise<WebClient> {
    return this.client((await this.authFor(teamId)).token);
  }
}

/** Keep-alive connections to the Slack Web API for the replies (`postJson`), one pool per scheme. */
const replyAgents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

/** One reply's HTTP exchange: status, Retry-After and the body text (a JSON answer from Slack). */
function postOnce(
  url: URL,
  token: string,
  body: Buffer,
  timeoutMs: number,
): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
  const https_ = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https_ ? https : http).request(
      url,
      {
        method: 'POST',
        agent: https_ ? replyAgents['https:'] : replyAgents['http:'],
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': body.length,
          Accept: 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          clearTimeout(timer);
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : ra, text });
        });
        res.on('error', fail);
      },
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      req.destroy();
      reject(err);
    }
    const timer = setTimeout(
      () =>
        fail(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })),
      timeoutMs,
    );
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * chat.postMessage / chat.postEphemeral with a JSON body (Slack accepts `application/json` for its write
 * methods: https://api.slack.com/web#posting_json), for the replies to chat commands. The Web API client
 * form-encodes every argument, the Block Kit JSON included, and builds a debug line of each body whatever
 * the log level: a quarter of everything the hub allocated per Slack request (bench/README.md
 * "slack-ack"), paid in collection pauses on the loop that acknowledges requests. Sent with node:http on
 * keep-alive connections rather than `fetch`, whose request cloning and web streams were the largest
 * allocator left per reply (same README section). Same token, same URL base and timeout (the whole
 * exchange); failures are thrown shaped as the client's own errors (`classifySlackError`).
 */
export async function postJson(
  client: WebClient,
  method: 'chat.postMessage' | 'chat.postEphemeral',
  args: Record<string, unknown>,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  let res: { status: number; retryAfter: string | undefined; text: string };
  try {
    res = await postOnce(
      new URL(`${client.slackApiUrl}${method}`),
      client.token ?? '',
      Buffer.from(JSON.stringify(args)), // encoded once (length and socket write from the same bytes)
      timeoutMs,
    );
  } catch (err) {
    throw Object.assign(new Error(`A request error occurred: ${(err as Error).message ?? String(err)}`), {
      code: webApi.ErrorCode.RequestError,
      original: err,
    });
  }
  if (res.status === 429) {
    const retryAfter = Number(res.retryAfter ?? 1);
    throw Object.assign(new Error(`A rate limit was exceeded (url: ${method}, retry-after: ${retryAfter})`), {
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: Number.isFinite(retryAfter) ? retryAfter : 1,
    });
  }
  if (res.status !== 200) {
    throw Object.assign(new Error(`An HTTP protocol error occurred: statusCode = ${res.status}`), {
      code: webApi.ErrorCode.HTTPError,
      statusCode: res.status,
    });
  }
  const body = JSON.parse(res.text) as Record<string, unknown>;
  if (body.ok !== true) {
    throw Object.assign(new Error(`An API error occurred: ${String(body.error)}`), {
      code: webApi.ErrorCode.PlatformError,
      data: body,
    });
  }
  return body;
}

/** The Slack error code of a platform error ("channel_not_found"), if any. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
}

/**
 * Classify a Web API failure into a delivery outcome.
 * @example classifySlackError(new webApi.WebAPIRateLimitedError(7)) // { outcome: 'throttled', retryAfterMs: 7000 }
 */
export function classifySlackError(err: unknown): Exclude<DeliveryResult, { outcome: 'sent' }> {
  const e = err as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  switch (e?.code) {
    case webApi.ErrorCode.RateLimitedError:
      return { outcome: 'throttled', retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return { outcome: 'throttled', retryAfterMs: 1000 };
      if (NOT_FOUND.has(code)) return { outcome: 'not_found', error: code };
      if (PERMANENT.has(code)) return { outcome: 'failed', error: code, transient: false };
      // internal_error, fatal_error, service_unavailable, request_timeout and anything new: try again.
      return { outcome: 'failed', error: code, transient: true };
    }
    case webApi.ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status === 429) return { outcome: 'throttled', retryAfterMs: 1000 };
      return { outcome: 'failed', error: `http ${status}`, transient: status >= 500 || status === 408 };
    }
    default:
      // RequestError (DNS, refused, reset, timeout) and anything unexpected: transient.
      return { outcome: 'failed', error: (e?.message ?? String(err)).slice(0, 200), transient: true };
  }
}
