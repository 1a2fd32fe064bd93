/**
 * The acknowledge page (issue 16): small, static HTML with one form and no script at all. Its style
 * sheet is inline and allowed by its hash alone, so the Content-Security-Policy can forbid every script,
 * frame, image and connection. It shows the concern's reference and who acknowledged when; never the
 * record (no name, initials, category or text): the page points to Teams or Slack for that.
 */
import { createHash } from 'node:crypto';
import type { LinkPage, RefusalReason } from '../app/safeguarding/out-of-chat-ack.ts';

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}' +
  'h1{font-size:1.4rem}button{font-size:1.1rem;padding:.7rem 1.4rem;border:0;border-radius:.3rem;background:#0b0c0c;color:#fff;cursor:pointer}' +
  '.note{color:#505a5f;font-size:.95rem}';

/** `default-src 'none'`: nothing loads; the one style block by hash; the form posts only to this page. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

const REFUSED: Record<RefusalReason, { title: string; text: string }> = {
  malformed: {
    title: 'This link is not complete',
    text: 'The link may have been cut short when it was copied. Open it again from the message, or acknowledge in Teams or Slack.',
  },
  bad_signature: {
    title: 'This link is not valid',
    text: 'It was changed after it was sent, so it cannot acknowledge anything. Acknowledge in Teams or Slack.',
  },
  expired: {
    title: 'This link has expired',
    text: 'Acknowledge links work for 24 hours. If the concern still needs you, acknowledge it in Teams or Slack.',
  },
  not_yours: {
    title: 'This link cannot be used',
    text: 'It was sent to someone else, or you are no longer on the safeguarding ladder for this concern. Nothing was changed.',
  },
  cross_site: {
    title: 'Nothing was changed',
    text: 'The request did not come from this page. Open the link from your message and press the button there.',
  },
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)} - SEND Hub</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
</body>
</html>
`;
}

/** The page for one outcome; `action` is the form's target (this same path) for the confirm page. */
export function renderAckPage(p: LinkPage, action: string, token: string): string {
  switch (p.kind) {
    case 'confirm':
      return page(
        `Safeguarding concern ${p.ref}`,
        `<p>A safeguarding concern needs you. Press the button to acknowledge it: the others on the ladder will be told you have it, and no one else will be asked.</p>
<form method="post" action="${esc(action)}">
<input type="hidden" name="token" value="${esc(token)}">
<button type="submit">Acknowledge concern ${esc(p.ref)}</button>
</form>
<p class="note">Opening this page has changed nothing. The record is in Teams or Slack.</p>`,
      );
    case 'acknowledged':
      return page(
        `Acknowledged: concern ${p.ref}`,
        `<p>You acknowledged concern ${esc(p.ref)} at ${esc(p.at)}. The others on the ladder have been told.</p>
<p>Open the record in Teams or Slack (type <code>concern</code> there, or use <b>Open record</b> on the alert) and record the outcome.</p>`,
      );
    case 'already':
      return page(
        `Concern ${p.ref} is already acknowledged`,
        `<p>Concern ${esc(p.ref)} was already acknowledged by ${esc(p.by)} at ${esc(p.at)}. Nothing more is needed from this link.</p>
<p class="note">The record is in Teams or Slack.</p>`,
      );
    case 'refused': {
      const r = REFUSED[p.reason];
      return page(r.title, `<p>${esc(r.text)}</p>`);
    }
  }
}
