/**
 * E-mail over SMTP with nodemailer (what most schools have, through Microsoft 365 or their local authority).
 * The Message-ID is derived from the outbox's idempotency key: a resend after a crash carries the same
 * Message-ID, which mail stores and clients treat as the same message. SMTP cannot be asked afterwards
 * whether a message went, so there is no `reconcile`.
 *
 * Replies (RFC 5321 §4.2.1): 5yz is a permanent negative completion (a bounce of this address: `rejected`,
 * final), 4yz a transient one (retried with backoff); a connection or TLS failure is transient too.
 * Rate: Exchange Online accepts 30 messages a minute from one mailbox (Microsoft 365 "Exchange Online
 * limits", sending limits); `perMinute` sets our own pace below it.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { RateLimitKey } from '../../core/ports.ts';
import type { OutOfChatSend, OutOfChatTransport, TransportResult } from './out-of-chat-channel.ts';

export interface SmtpOptions {
  /** smtp://user:pass@host:587 or smtps://… (nodemailer's connection URL), or the parts below. */
  url?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  pass?: string;
  from: string;
  perMinute?: number;
}

/** `<sendhub.<32 hex>@<domain of From>>`: the same key always gives the same Message-ID. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1).replace(/[>\s]/g, '') || 'send-hub.invalid';
  return `<sendhub.${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

export class SmtpTransport implements OutOfChatTransport {
  readonly name = 'smtp';
  private readonly mailer: Transporter;

  constructor(private readonly opts: SmtpOptions) {
    this.mailer = opts.url
      ? nodemailer.createTransport(opts.url)
      : nodemailer.createTransport({
          host: opts.host,
          port: opts.port ?? 587,
          secure: opts.secure ?? opts.port === 465,
          ...(opts.user ? { auth: { user: opts.user, pass: opts.pass ?? '' } } : {}),
          connectionTimeout: 15_000,
          socketTimeout: 30_000,
        });
  }

  limitKeys(): RateLimitKey[] {
    return [
      { key: `smtp:${this.opts.from}`, rules: [{ limit: this.opts.perMinute ?? 30, windowMs: 60_000 }] },
    ];
  }

  async send(s: OutOfChatSend): Promise<TransportResult> {
    const messageId = messageIdFor(s.idempotencyKey, this.opts.from);
    try {
      const info = await this.mailer.sendMail({
        from: this.opts.from,
        to: s.to,
        subject: s.rendered.subject,
        text: s.rendered.text,
        messageId,
        headers: {
          // RFC 3834: an automatic message; Exchange: no out-of-office replies to it.
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          // RFC 2369 and RFC 8058 one-click: mail clients offer "unsubscribe", which POSTs to the link.
          ...(s.rendered.unsubscribeUrl
            ? {
                'List-Unsubscribe': `<${s.rendered.unsubscribeUrl}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              }
            : {}),
        },
      });
      if (info.rejected?.length) return { outcome: 'rejected', error: 'smtp: recipient rejected' };
      return { outcome: 'sent', platformRef: messageId.slice(1, -1) };
    } catch (err) {
      return classifySmtpError(err);
    }
  }

  close(): void {
    this.mailer.close();
  }
}

/**
 * 5yz: permanent, `rejected` (final: the ladder moves on; the method is marked failed); 4yz and I/O errors:
 * transient. The error names the reply code and the SMTP command only, never the address.
 */
export function classifySmtpError(err: unknown): TransportResult {
  const e = err as { responseCode?: number; code?: string; command?: string };
  const code = e.responseCode;
  if (typeof code === 'number' && code >= 500)
    return { outcome: 'rejected', error: `smtp ${code} (${e.command ?? e.code ?? 'reply'}): rejected` };
  if (typeof code === 'number' && code >= 400)
    return {
      outcome: 'failed',
      error: `smtp ${code} (${e.command ?? 'reply'}): try again later`,
      transient: true,
    };
  return { outcome: 'failed', error: `smtp: ${e.code ?? 'connection failed'}`, transient: true };
}
