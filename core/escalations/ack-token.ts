/**
 * The acknowledge-by-link token (issue 16): the link in a safeguarding e-mail or SMS lets the person it
 * was sent to acknowledge the concern from a browser, without the chat. It is
 *
 * - signed (HMAC-SHA-256, computed by the caller with a key from the app secret store: core has no crypto),
 * - bound to one recipient (staff id), one concern, one ladder step and the method it was sent by,
 * - expiring (24 hours by default), and
 * - single-use: it acknowledges only a concern that is still unacknowledged, and that change happens once
 *   (a conditional update); every later use finds it acknowledged and says by whom.
 *
 * Wire form: `1.<concernId>.<staffId>.<step>.<E|S>.<expiry, epoch seconds in base 36>.<signature>`, short
 * enough for an SMS. The ids are opaque database ids (no name, no category): the token says nothing about
 * the child.
 */

/** What a token carries. */
export interface AckTokenClaims {
  concernId: string;
  staffId: string;
  step: number;
  /** The method the link was sent by; the acknowledgement is audited with it. */
  via: 'EMAIL' | 'SMS';
  expiresAt: Date;
}

/** Computes the signature (base64url HMAC-SHA-256 of `data`) with the current link key. */
export type AckSigner = (data: string) => string;

export type AckTokenCheck =
  | { ok: true; claims: AckTokenClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired'; claims?: AckTokenClaims };

/** How long a link works: a DSL on a train may open the e-mail hours later. */
export const ACK_LINK_TTL_MS = 24 * 60 * 60_000;

const VERSION = '1';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const METHOD = { EMAIL: 'E', SMS: 'S' } as const;

/**
 * A signed token for one recipient, concern, step and method.
 * @example ackToken({ concernId: 'c1', staffId: 's1', step: 0, via: 'SMS', expiresAt }, sign)
 */
export function ackToken(claims: AckTokenClaims, sign: AckSigner): string {
  for (const id of [claims.concernId, claims.staffId])
    if (!ID.test(id)) throw new Error('ack token: ids must be opaque database ids');
  const body = [
    VERSION,
    claims.concernId,
    claims.staffId,
    String(claims.step),
    METHOD[claims.via],
    Math.floor(claims.expiresAt.getTime() / 1000).toString(36),
  ].join('.');
  return `${body}.${sign(body)}`;
}

/** Equal strings, compared in time that does not depend on where they first differ. */
function sameSignature(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks a token's form, then its signature, then its expiry (in that order: an unsigned token says
 * nothing, not even that it has expired).
 * @example verifyAckToken(token, sign, now) // { ok: true, claims } or { ok: false, reason: 'expired' }
 */
export function verifyAckToken(token: string, sign: AckSigner, now: Date): AckTokenCheck {
  const parts = token.trim().split('.');
  if (parts.length !== 7 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, concernId = '', staffId = '', stepText = '', method, expiry = '', signature = ''] = parts;
  if (
    !ID.test(concernId) ||
    !ID.test(staffId) ||
    !/^\d{1,3}$/.test(stepText) ||
    !/^[0-9a-z]{1,10}$/.test(expiry)
  )
    return { ok: false, reason: 'malformed' };
  if (method !== 'E' && method !== 'S') return { ok: false, reason: 'malformed' };
  const body = parts.slice(0, 6).join('.');
  if (!sameSignature(sign(body), signature)) return { ok: false, reason: 'bad_signature' };
  const claims: AckTokenClaims = {
    concernId,
    staffId,
    step: Number(stepText),
    via: method === 'E' ? 'EMAIL' : 'SMS',
    expiresAt: new Date(Number.parseInt(expiry, 36) * 1000),
  };
  if (now.getTime() >= claims.expiresAt.getTime()) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
