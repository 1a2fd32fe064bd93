/**
 * GOV.UK Notify (notifications-node-client) for SMS and e-mail: `POST /v2/notifications/sms|email` with a
 * template id and personalisation (the fixed template's fields: reference, raised_at, link; or code), and
 * our `reference` = the outbox idempotency key (ids only, no personal data), so that an in-doubt send is
 * looked up with `GET /v2/notifications?reference=…` instead of being sent twice.
 *
 * The Notify templates are set up as docs/safeguarding.md "E-mail and SMS transports" shows: ((body)) (and
 * ((subject)) for e-mail) carry the fixed template's text; ((reference)), ((raised_at)), ((link)), ((code))
 * are sent too.
 * Answers (Notify API documentation, "Error codes"): 201 sent; 400 about the phone number or e-mail
 * address rejected (final); other 400 and 403 permanent failures (template, key); 429 throttled
 * (RateLimitError: 3,000 messages a minute per API key; TooManyRequestsError: the daily limit); 500
 * transient. Delivery receipts come later by callback (app/contacts/notify-callback.ts).
 */
import { NotifyClient } from 'notifications-node-client';
import type { RateLimitKey } from '../../core/ports.ts';
import type { OutOfChatSend, OutOfChatTransport, TransportResult } from '../email/out-of-chat-channel.ts';

export interface NotifyOptions {
  apiKey: string;
  /** The template this channel sends through (NOTIFY_SMS_TEMPLATE_ID or NOTIFY_EMAIL_TEMPLATE_ID). */
  templateId: string;
  type: 'sms' | 'email';
  /** Notify's API (tests, or a Notify-compatible service); default the production API. */
  baseUrl?: string;
}

/** The key's last 36 characters are its id (notifications-node-client ApiClient). */
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
  private readonly client: NotifyClient;

  constructor(private readonly opts: NotifyOptions) {
    this.client = opts.baseUrl ? new NotifyClient(opts.baseUrl, opts.apiKey) : new NotifyClient(opts.apiKey);
  }

  limitKeys(): RateLimitKey[] {
    // One limit per API key, shared by SMS and e-mail sent with it.
    return [{ key: `notify:${notifyKeyId(this.opts.apiKey)}`, rules: [{ limit: 3000, windowMs: 60_000 }] }];
  }

  async send(s: OutOfChatSend): Promise<TransportResult> {
    // `body` and `subject` fill a template written as ((body)) / ((subject)) (docs/safeguarding.md); the
    // separate fields serve a template a school words itself. Nothing else goes to Notify.
    const personalisation = {
      ...s.rendered.personalisation,
      subject: s.rendered.subject,
      body: s.rendered.text,
    };
    const options = { personalisation, reference: s.idempotencyKey };
    try {
      const res =
        this.opts.type === 'sms'
          ? await this.client.sendSms(this.opts.templateId, s.to, options)
          : await this.client.sendEmail(this.opts.templateId, s.to, options);
      return { outcome: 'sent', platformRef: res.data.id };
    } catch (err) {
      return classifyNotifyError(err);
    }
  }

  async reconcile(idempotencyKey: string): Promise<'delivered' | 'not_delivered' | 'unknown'> {
    try {
      const res = await this.client.getNotifications(this.opts.type, undefined, idempotencyKey);
      return res.data.notifications.length > 0 ? 'delivered' : 'not_delivered';
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
