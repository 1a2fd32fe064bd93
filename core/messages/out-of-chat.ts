/**
 * What may leave the organisation's chat by e-mail or SMS (issue 16), and the fixed templates it leaves in.
 *
 * Defence in depth (docs/data-protection.md, "E-mail and SMS"): an e-mail or text message crosses
 * providers and devices the school does not control (UK GDPR Art. 5(1)(f), Art. 9 special-category data;
 * KCSIE 2025 Part 2 on information sharing). So the e-mail and SMS channels never render a message's free
 * text: they accept an ALLOWLIST of kinds only and rebuild each from a fixed template out of a few checked
 * values. A concern alert carries the concern's reference, when it was raised and the acknowledge link,
 * nothing else, whatever the message holds (name, initials, year group, category are dropped by design).
 *
 * Contract for the builders (PART B, app/safeguarding/out-of-chat*):
 * - `concern_alert_external`: facts `Reference` (concernRef(): `C-` + 6 capitals/digits) and `Raised at`
 *   (an ISO 8601 instant, e.g. `2026-12-06T09:40:00.000Z`; rendered in Europe/London), and `link.url` =
 *   the acknowledge-by-link URL (http(s), at most 500 characters). `title`, `text` and other facts are
 *   ignored by the renderers. Enqueue with `via: 'EMAIL' | 'SMS'`, `to: { staffId }`, priority 0.
 * - `contact_verification`: fact `Code` (6 digits). Built by app/contacts.
 * - `digest`: the deadline digest (e-mail only, officers who opted in): same content rules as in chat.
 * Any other kind, or a missing/ill-formed value, is a permanent failure with a clear error (no retry).
 */
import { DomainError } from '../errors.ts';
import type { MessageKind, OutgoingMessage } from './outgoing-message.ts';

export const OUT_OF_CHAT_KINDS = [
  'concern_alert_external',
  'contact_verification',
  'digest',
] as const satisfies readonly MessageKind[];
export type OutOfChatKind = (typeof OUT_OF_CHAT_KINDS)[number];

/** The kinds an SMS may carry (a digest is too long for a text message). */
export const SMS_KINDS: readonly OutOfChatKind[] = ['concern_alert_external', 'contact_verification'];

export const isOutOfChatKind = (k: MessageKind): k is OutOfChatKind =>
  (OUT_OF_CHAT_KINDS as readonly string[]).includes(k);

/** One rendered out-of-chat message: a subject line (e-mail), plain text, and the link if any. */
export interface RenderedOutOfChat {
  kind: OutOfChatKind;
  subject: string;
  text: string;
  /** Values for a provider template (GOV.UK Notify personalisation): the same content, field by field. */
  personalisation: Record<string, string>;
  /** A digest's unsubscribe link (its `link` labelled "Unsubscribe"): also sent as List-Unsubscribe (RFC 8058). */
  unsubscribeUrl?: string;
}

const REF = /^C-[A-Z0-9]{1,12}$/;
const CODE = /^[0-9]{6}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const fact = (m: OutgoingMessage, label: string): string | undefined =>
  m.facts.find((f) => f.label.toLowerCase() === label.toLowerCase())?.value.trim();

/** A permanent rendering failure: the message never leaves (kept as the outbox row's error). */
export class OutOfChatRenderError extends DomainError {
  constructor(message: string) {
    super('VALIDATION', message);
  }
}

/** One formatter for every message: building an Intl.DateTimeFormat costs more than formatting with it. */
const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "06 Dec 2026 09:40" in Europe/London (the school's wall clock). */
export function londonTime(iso: string): string {
  const parts = LONDON.formatToParts(new Date(iso));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('day')} ${p('month')} ${p('year')} ${p('hour')}:${p('minute')}`;
}

function checkedLink(m: OutgoingMessage): string {
  const url = m.link?.url;
  if (!url || url.length > 500 || !/^https?:\/\//.test(url))
    throw new OutOfChatRenderError(`${m.kind}: link must be an http(s) URL of at most 500 characters`);
  return url;
}

/**
 * Render an out-of-chat message from its fixed template, or throw OutOfChatRenderError (permanent).
 * @example renderOutOfChat(alert, 'SMS').text // "SEND Hub: a safeguarding concern needs you. Ref C-1A2B3C ..."
 */
export function renderOutOfChat(m: OutgoingMessage, via: 'EMAIL' | 'SMS'): RenderedOutOfChat {
  if (!isOutOfChatKind(m.kind))
    throw new OutOfChatRenderError(
      `message kind '${m.kind}' may not be sent by ${via}: only ${OUT_OF_CHAT_KINDS.join(', ')} leave the chat`,
    );
  if (via === 'SMS' && !SMS_KINDS.includes(m.kind))
    throw new OutOfChatRenderError(`message kind '${m.kind}' is not sent by SMS`);
  switch (m.kind) {
    case 'concern_alert_external': {
      const reference = fact(m, 'Reference') ?? '';
      const raised = fact(m, 'Raised at') ?? '';
      if (!REF.test(reference))
        throw new OutOfChatRenderError('concern_alert_external: fact Reference must look like C-1A2B3C');
      if (!ISO_INSTANT.test(raised) || Number.isNaN(Date.parse(raised)))
        throw new OutOfChatRenderError('concern_alert_external: fact Raised at must be an ISO 8601 instant');
      const url = checkedLink(m);
      const raisedAt = londonTime(raised);
      const subject = `Safeguarding concern ${reference} needs you`;
      const text =
        via === 'SMS'
          ? `SEND Hub: a safeguarding concern needs you. Ref ${reference}, raised ${raisedAt}. Acknowledge: ${url}`
          : [
              'A safeguarding concern needs your attention now.',
              '',
              `Reference: ${reference}`,
              `Raised at: ${raisedAt}`,
              '',
              `Acknowledge: ${url}`,
              '',
              'Open the record in Teams or Slack. By design this message holds no details of the concern.',
            ].join('\n');
      return { kind: m.kind, subject, text, personalisation: { reference, raised_at: raisedAt, link: url } };
    }
    case 'contact_verification': {
      const code = fact(m, 'Code') ?? '';
      if (!CODE.test(code))
        throw new OutOfChatRenderError('contact_verification: fact Code must be 6 digits');
      const subject = 'SEND Hub: confirm this contact method';
      const text =
        via === 'SMS'
          ? `SEND Hub code: ${code}. Reply in chat: settings contact verify ${code}`
          : [
              `Your SEND Hub verification code is ${code}.`,
              '',
              `In Teams or Slack, send: settings contact verify ${code}`,
              'If you did not ask for this, ignore this message.',
            ].join('\n');
      return { kind: m.kind, subject, text, personalisation: { code } };
    }
    case 'digest': {
      // The same content as the chat digest (already minimised for its reader); e-mail only.
      const lines = [m.text, ...m.sections.flatMap((s) => ['', s.heading, ...s.lines.map((l) => `- ${l}`)])];
      if (m.link) lines.push('', `${m.link.label}: ${checkedLink(m)}`);
      const text = lines.join('\n').trim();
      const unsubscribe = m.link?.label === 'Unsubscribe' ? checkedLink(m) : undefined;
      return {
        kind: m.kind,
        subject: m.title,
        text,
        personalisation: { subject: m.title, body: text },
        ...(unsubscribe ? { unsubscribeUrl: unsubscribe } : {}),
      };
    }
  }
}
