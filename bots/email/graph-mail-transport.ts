/**
 * E-mail through Microsoft Graph `POST /users/{MAIL_FROM}/sendMail` (Graph v1.0 "user: sendMail"), with the
 * hub's app-only Graph credentials (application permission Mail.Send; the token comes from the same
 * client-credentials source as the calendar sync, integrations/graph-calendar/graph-transport.ts).
 * Graph answers 202 Accepted with no body and offers no lookup by our reference, so there is no
 * `reconcile`; a custom `X-SendHub-Reference` header (Graph allows `X-` internet headers) carries a hash
 * of the idempotency key for the mail administrator's trace.
 *
 * Answers: 202 sent; 429 throttled (Retry-After, Graph throttling guidance); 400 with an invalid-recipient
 * code rejected (final); 401/403 a permanent failure (Mail.Send not granted: fix the app registration);
 * 5xx and network errors transient. Exchange Online limits one mailbox to 30 messages a minute.
 */
import { createHash } from 'node:crypto';
import type { RateLimitKey } from '../../core/ports.ts';
import type { OutOfChatSend, OutOfChatTransport, TransportResult } from './out-of-chat-channel.ts';

export interface GraphMailOptions {
  from: string;
  getAccessToken(): Promise<string>;
  graphBase?: string;
  perMinute?: number;
}

export class GraphMailTransport implements OutOfChatTransport {
  readonly name = 'graph';
  constructor(private readonly opts: GraphMailOptions) {}

  limitKeys(): RateLimitKey[] {
    return [
      {
        key: `graph-mail:${this.opts.from}`,
        rules: [{ limit: this.opts.perMinute ?? 30, windowMs: 60_000 }],
      },
    ];
  }

  async send(s: OutOfChatSend): Promise<TransportResult> {
    const base = this.opts.graphBase ?? 'https://graph.microsoft.com/v1.0';
    const reference = createHash('sha256').update(s.idempotencyKey).digest('hex').slice(0, 32);
    let token: string;
    try {
      token = await this.opts.getAccessToken();
    } catch (err) {
      return { outcome: 'failed', error: `graph sign-in failed: ${(err as Error).message}`, transient: true };
    }
    let res: Response;
    try {
      res = await fetch(`${base}/users/${encodeURIComponent(this.opts.from)}/sendMail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: {
            subject: s.rendered.subject,
            body: { contentType: 'Text', content: s.rendered.text },
            toRecipients: [{ emailAddress: { address: s.to } }],
            internetMessageHeaders: [{ name: 'X-SendHub-Reference', value: reference }],
          },
          saveToSentItems: false,
        }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      return { outcome: 'failed', error: `graph: ${(err as Error).name}`, transient: true };
    }
    if (res.status === 202 || res.ok) return { outcome: 'sent', platformRef: reference };
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    const code = body.error?.code ?? String(res.status);
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      return { outcome: 'throttled', ...(after > 0 ? { retryAfterMs: after * 1000 } : {}) };
    }
    if (res.status === 400 && /recipient|ErrorInvalidRecipients/i.test(code))
      return { outcome: 'rejected', error: `graph 400 ${code}` };
    if (res.status === 401 || res.status === 403)
      return {
        outcome: 'failed',
        error: `graph ${res.status} ${code}: grant the app Mail.Send`,
        transient: false,
      };
    return { outcome: 'failed', error: `graph ${res.status} ${code}`, transient: res.status >= 500 };
  }
}
