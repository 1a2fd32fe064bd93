/**
 * Microsoft Graph transport for app-only access: an OAuth 2.0 client-credentials token from
 * login.microsoftonline.com (Microsoft identity platform, "client credentials flow"), cached until shortly
 * before it expires; the Graph SDK client with a middleware chain of auth -> throttling retry -> HTTP.
 * Graph throttling: on 429 (and 503/504) wait for Retry-After seconds, then retry
 * (https://learn.microsoft.com/graph/throttling); we cap the attempts and the wait.
 */
import {
  AuthenticationHandler,
  Client,
  type Context,
  GraphError,
  HTTPMessageHandler,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { DomainError } from '../../core/errors.ts';

export interface GraphCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface GraphTransportOptions {
  /** Injected so tests do not wait; production uses setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  maxRetries?: number;
  /** Longest single wait we accept from Retry-After. */
  maxRetryAfterMs?: number;
  loginHost?: string;
}

/** Sign-in to Graph failed (wrong secret, consent not granted, tenant not found): not retried. */
export class GraphAuthError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** The client-credentials sign-in itself failed: every mailbox would fail the same way. */
export class GraphSignInError extends GraphAuthError {}

/** Graph kept throttling or failing after the retries. */
export class GraphUnavailableError extends DomainError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('DELIVERY_FAILED', message);
  }
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ClientCredentialsTokenSource {
  private token: { value: string; expiresAt: number } | null = null;
  constructor(
    private readonly creds: GraphCredentials,
    private readonly opts: GraphTransportOptions = {},
  ) {}

  async getAccessToken(): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    if (this.token && this.token.expiresAt > now) return this.token.value;
    const host = this.opts.loginHost ?? 'https://login.microsoftonline.com';
    const res = await fetch(`${host}/${encodeURIComponent(this.creds.tenantId)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.creds.clientId,
        client_secret: this.creds.clientSecret,
        scope: 'https://graph.microsoft.com/.default',
        grant_type: 'client_credentials',
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_codes?: number[];
    };
    if (!res.ok || !body.access_token) {
      // error_description can echo request details; keep the code and the AADSTS number only.
      const code = body.error_codes?.[0] ? ` (AADSTS${body.error_codes[0]})` : '';
      throw new GraphSignInError(
        `Microsoft Graph sign-in failed: ${body.error ?? `HTTP ${res.status}`}${code}: check GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and admin consent for Calendars.Read`,
      );
    }
    // Renew a minute early so a token never expires mid-page.
    this.token = {
      value: body.access_token,
      expiresAt: now + Math.max(60, (body.expires_in ?? 3600) - 60) * 1000,
    };
    return body.access_token;
  }
}

/** Honours Retry-After on 429/503/504 with a capped number of attempts (Graph throttling guidance). */
class RetryAfterHandler implements Middleware {
  private next: Middleware | undefined;
  constructor(
    private readonly opts: Required<Pick<GraphTransportOptions, 'sleep' | 'maxRetries' | 'maxRetryAfterMs'>>,
  ) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.next?.execute(context);
      const status = context.response?.status ?? 0;
      if (![429, 503, 504].includes(status) || attempt >= this.opts.maxRetries) return;
      const header = context.response?.headers.get('retry-after');
      const seconds = header && /^\d+$/.test(header) ? Number(header) : 2 ** attempt;
      const wait = Math.min(seconds * 1000, this.opts.maxRetryAfterMs);
      await context.response?.body?.cancel().catch(() => {});
      await this.opts.sleep(wait);
    }
  }
}

export function createGraphClient(creds: GraphCredentials, opts: GraphTransportOptions = {}): Client {
  const tokens = new ClientCredentialsTokenSource(creds, opts);
  const auth = new AuthenticationHandler({ getAccessToken: () => tokens.getAccessToken() });
  const retry = new RetryAfterHandler({
    sleep: opts.sleep ?? realSleep,
    maxRetries: opts.maxRetries ?? 5,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? 120_000,
  });
  const http = new HTTPMessageHandler();
  auth.setNext(retry);
  retry.setNext(http);
  return Client.initWithMiddleware({ middleware: auth, defaultVersion: 'v1.0' });
}

/** Maps SDK errors to ours; GraphAuthError passes through. */
export function asGraphError(err: unknown, what: string): Error {
  if (err instanceof GraphAuthError) return err;
  if (err instanceof GraphError) {
    // The SDK wraps errors thrown by the auth provider, keeping the original class name as `code`.
    if (err.code === 'GraphSignInError') return new GraphSignInError(err.message, { cause: err });
    if (err.code === 'GraphAuthError') return new GraphAuthError(err.message, { cause: err });
    if (err.statusCode === 401 || err.statusCode === 403)
      return new GraphAuthError(
        `Microsoft Graph refused ${what}: HTTP ${err.statusCode} ${err.code ?? ''}: grant Calendars.Read (application) and admin consent`,
        { cause: err },
      );
    return new GraphUnavailableError(
      `Microsoft Graph ${what}: HTTP ${err.statusCode} ${err.code ?? ''}`.trim(),
      err.statusCode,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
