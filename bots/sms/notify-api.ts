/**
 * The two calls the hub makes to GOV.UK Notify's REST API (docs.notifications.service.gov.uk/rest-api.html):
 * `POST /v2/notifications/sms|email` and `GET /v2/notifications?template_type=…&reference=…`, with the
 * request bodies notifications-node-client builds. Authorisation: a JSON Web Token, header
 * `{"typ":"JWT","alg":"HS256"}`, claims `{"iss": <service id>, "iat": <now, epoch seconds>}`, signed with
 * the API key's secret (the key is `{name}-{service id}-{secret}`). Notify accepts a token whose `iat` is
 * within 30 seconds of its own clock, so one token serves the requests of a few seconds (TOKEN_REUSE_MS)
 * instead of one signed per request: notifications-node-client signs each through jsonwebtoken, which
 * first tries the secret as a PEM key and fails, about 3 ms of CPU per SMS on the 2-core machine, the
 * largest part of sending 1,000 SMS due at once (issue 18's profile). Requests go through Node's
 * keep-alive global agents, as axios did. A failure has the shape classifyNotifyError reads (an answer's
 * `response` with status, body and headers, or a network `code`).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export const NOTIFY_PRODUCTION_API = 'https://api.notifications.service.gov.uk';
/** A token is signed again after this long (Notify refuses one whose iat is 30 s away from its clock). */
export const TOKEN_REUSE_MS = 10_000;

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const JWT_HEADER = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));

/** A Notify API error or network failure, as classifyNotifyError reads it. */
export class NotifyApiError extends Error {
  constructor(
    message: string,
    readonly response?: { status: number; data: unknown; headers: Record<string, string> },
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface NotificationCreated {
  id: string;
  reference?: string | null;
}

export class NotifyApi {
  private readonly serviceId: string;
  private readonly secret: string;
  private token: { value: string; at: number } | undefined;

  constructor(
    apiKey: string,
    private readonly baseUrl = NOTIFY_PRODUCTION_API,
    private readonly now: () => number = Date.now,
  ) {
    // notifications-node-client ApiClient: the last 36 characters are the secret, the 36 before the dash
    // before them the service id.
    this.secret = apiKey.slice(-36);
    this.serviceId = apiKey.slice(-73, -37);
  }

  /** The bearer token: signed at most every TOKEN_REUSE_MS. */
  bearer(): string {
    const at = this.now();
    if (this.token && at - this.token.at < TOKEN_REUSE_MS && at >= this.token.at) return this.token.value;
    const claims = b64url(JSON.stringify({ iss: this.serviceId, iat: Math.round(at / 1000) }));
    const signature = createHmac('sha256', this.secret).update(`${JWT_HEADER}.${claims}`).digest('base64url');
    this.token = { value: `${JWT_HEADER}.${claims}.${signature}`, at };
    return this.token.value;
  }

  send(
    type: 'sms' | 'email',
    templateId: string,
    to: string,
    personalisation: Record<string, string>,
    reference: string,
  ): Promise<NotificationCreated> {
    const body = {
      template_id: templateId,
      ...(type === 'sms' ? { phone_number: to } : { email_address: to }),
      personalisation,
      reference,
    };
    return this.request('POST', `/v2/notifications/${type}`, body) as Promise<NotificationCreated>;
  }

  /** Notifications of `type` sent with `reference` (newest first, as Notify lists them). */
  async byReference(type: 'sms' | 'email', reference: string): Promise<unknown[]> {
    const q = new URLSearchParams({ template_type: type, reference });
    const r = (await this.request('GET', `/v2/notifications?${q}`)) as { notifications?: unknown[] };
    return r.notifications ?? [];
  }

  private request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    // Appended, as notifications-node-client does: a base URL with a path (a proxy's prefix) keeps it.
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}${path}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${this.bearer()}`,
      'user-agent': 'send-hub',
      accept: 'application/json',
      ...(payload
        ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
        : {}),
    };
    const lib = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) =>
          reject(new NotifyApiError(err.message, undefined, err.code)),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : null;
          } catch {
            // Not JSON (a proxy's error page): kept as text.
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(data);
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = String(v);
          reject(new NotifyApiError(`Notify answered ${status}`, { status, data, headers: h }));
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(new NotifyApiError(err.message, undefined, err.code)),
      );
      req.end(payload);
    });
  }
}
