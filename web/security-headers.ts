/**
 * Response headers of every web page (issue 17). The Content-Security-Policy allows only the hub's own
 * scripts, styles and images (no inline script or style anywhere: web/public holds the files), posts forms
 * only to the hub, and lets Microsoft Teams frame the pages its personal tab shows; every other page can be
 * framed by no one. Pages are never cached (they show records about children) and send no referrer outside.
 * The acknowledge page (web/ack-link-page.ts) has a stricter policy of its own: it loads nothing at all.
 */
import type { Response } from 'express';

/** The hosts Teams (classic, new, and in Microsoft 365 / Outlook) frames a personal tab from. */
export const TEAMS_FRAME_ANCESTORS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.office.com',
];

export function webCsp(opts: { framable: boolean }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${opts.framable ? ["'self'", ...TEAMS_FRAME_ANCESTORS].join(' ') : "'none'"}`,
  ].join('; ');
}

/** Set the headers; `framable` for the pages the Teams tab shows (/app, /tab, /sign-in). */
export function setWebSecurityHeaders(res: Response, opts: { framable: boolean } = { framable: true }): void {
  res.set({
    'Content-Security-Policy': webCsp(opts),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  // X-Frame-Options cannot name hosts: only where no one may frame the page.
  if (!opts.framable) res.set('X-Frame-Options', 'DENY');
}
