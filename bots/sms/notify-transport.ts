/**
 * GOV.UK Notify (bots/sms/notify-api.ts, the two calls of its REST API) for SMS and e-mail: `POST /v2/notifications/sms|email` with a
 * template id and personalisation (the fixed template's fields: reference, raised_at, link; or code), and
 * our `reference` = the outbox idempotency key (ids only, no personal data), so that an in-doubt send is
 * looked up with `GET /v2/notifications?reference=…` instead of being sent twice.
 *
 * The Notify templates are set up as docs/safeguarding.md "E-mail and SMS transports" shows: ((body)) (and
 * ((subject)) for e-mail) carry the fixed template's text; ((reference)), ((raised_at)), ((link)), ((code))
 * are sent too.
 * Answers (Notify API documentation, "Error codes"): 201 sent; 400 about the phone number or e-mail
 * address rejected (final); other 400 and 403 permanent failures (template, key); 429 throttled
 * (RateLimitError: 3,000 messages a minute per API key, NOTIFY_PER_KEY; TooManyRequestsError: the daily limit); 500
 * transient. Delivery receipts come later by callback (app/contacts/notify-callback.ts).
 */
import { NOTIFY_PER_KEY } from '../../core/delivery/platform-rate-limits.ts';
import type { RateLimitKey } from '../../core/ports.ts';
import type { OutOfChatSend, OutOfChatTransport, TransportResult } from '../email/out-of-chat-channel.ts';
import { NotifyApi } from './notify-api.ts';

export interface NotifyOptions {
  apiKey: string;
  /** The template this channel sends through (NOTIFY_SMS_TEMPLATE_ID or NOTIFY_EMAIL_TEMPLATE_ID). */
  templateId: string;
  type: 'sms' | 'email';
  /** Notify's API (tests, or a Notify-compatible service); default the production API. */
  baseUrl?: string;
}

/** The key's last 36 characters are its id (and secret: notify-api.ts). */
export const notifyKeyId = (apiKey: string) => apiKey.slice(-36);

interface AxiosLikeError {
  response?: {
    status: number;
    data?: { errors?: { error?: string; message?: string }[] };
    headers?: Record<string, string>;
  };
  code?: string;
}

export class NotifyTransport implements OutOfChatTransport {
  readonly name = 'notify';
  private readonly client: NotifyApi;

  constructor(private readonly opts: NotifyOptions) {
    this.client = new NotifyApi(opts.apiKey, opts.baseUrl);
  }

  limitKeys(): RateLimitKey[] {
    // One limit per API key, shared by SMS and e-mail sent with it.
    return [{ key: `notify:${notifyKeyId(this.opts.apiKey)}`, rules: NOTIFY_PER_KEY }];
  }

  async send(s: OutOfChatSend): Promise<TransportResult> {
    // `body` and `subject` fill a template written as ((body)) / ((subject)) (docs/safeguarding.md); the
    // separate fields serve a template a school words itself. Nothing else goes to Notify.
    const personalisation = {
      ...s.rendered.personalisation,
      subject: s.rendered.subject,
      body: s.rendered.text,
    };
    try {
      const res = await this.client.send(
        this.opts.type,
        this.opts.templateId,
        s.to,
        personalisation,
        s.idempotencyKey,
      );
      return { outcome: 'sent', platformRef: res.id };
    } catch (err) {
      return classifyNotifyError(err);
    }
  }

  async reconcile(idempotencyKey: string): Promise<'delivered' | 'not_delivered' | 'unknown'> {
    try {
      const found = await this.client.byReference(this.opts.type, idempotencyKey);
      return found.length > 0 ? 'delivered' : 'not_delivered';
    } catch {
      return 'unknown';
    }
  }
}

export function classifyNotifyError(err: unknown): TransportResult {
  const e = err as AxiosLikeError;
  const status = e.response?.status;
  if (!status) return { outcome: 'failed', error: `notify: ${e.code ?? 'no answer'}`, transient: true };
  const first = e.response?.data?.errors?.[0];
  const kind = first?.error ?? 'Error';
  if (status === 429) {
    const after = Number(e.response?.headers?.['retry-after']);
    // The daily limit (TooManyRequestsError) does not reopen within minutes: wait an hour, then try.
    const retryAfterMs = after > 0 ? after * 1000 : kind === 'TooManyRequestsError' ? 3_600_000 : 60_000;
    return { outcome: 'throttled', retryAfterMs };
  }
  if (status === 400 && /phone_number|email_address|recipient/i.test(first?.message ?? ''))
    return { outcome: 'rejected', error: `notify 400 ${kind}: recipient refused` };
  if (status >= 500) return { outcome: 'failed', error: `notify ${status} ${kind}`, transient: true };
  return { outcome: 'failed', error: `notify ${status} ${kind}`, transient: false };
}
