/**
 * Cross-site request forgery protection for the web pages' forms (issue 17). Each session has its own
 * token, derived from the session's secret cookie value with HMAC-SHA256 (so it is the same on every
 * replica, needs no storage, and is worthless without the cookie); every POST must carry it in the `csrf`
 * field and, when the browser says where it came from (Origin, else Referer), come from this hub's own
 * origin (web/ack-link-routes.ts `sameSite`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { sameSite } from './ack-link-routes.ts';

/** The form token of the session whose cookie value is `sessionToken`. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('send-hub web form').digest('base64url');
}

export type CsrfVerdict = 'ok' | 'cross_site' | 'missing_token' | 'bad_token';

/** Check a POST: its origin, then the token in the (parsed, urlencoded) body against the session's. */
export function checkCsrf(req: Request, expected: string, publicUrl: string | undefined): CsrfVerdict {
  if (!sameSite(req, publicUrl)) return 'cross_site';
  const body = (req.body ?? {}) as Record<string, unknown>;
  const given = typeof body.csrf === 'string' ? body.csrf : '';
  if (!given) return 'missing_token';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'bad_token';
}
