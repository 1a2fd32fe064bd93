/**
 * Slack request signing, v0 (https://api.slack.com/authentication/verifying-requests-from-slack):
 * signature = "v0=" + hex(HMAC-SHA256(signingSecret, "v0:" + timestamp + ":" + rawBody)).
 * The timestamp must be within five minutes of now (replay protection, Slack's own recommendation),
 * and the comparison is constant-time so the signature cannot be guessed byte by byte.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's documented replay window. */
export const MAX_SKEW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing_header' | 'stale' | 'mismatch' };

export function signSlackRequest(
  secret: string,
  timestamp: number | string,
  rawBody: string | Buffer,
): string {
  const h = createHmac('sha256', secret);
  h.update(`v0:${timestamp}:`);
  h.update(rawBody);
  return `v0=${h.digest('hex')}`;
}

/**
 * @example verifySlackSignature(secret, req.headers, rawBody, Date.now()).ok
 */
export function verifySlackSignature(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  nowMs: number,
): SignatureCheck {
  const sig = headers['x-slack-signature'];
  const ts = headers['x-slack-request-timestamp'];
  if (typeof sig !== 'string' || typeof ts !== 'string' || !/^\d{1,12}$/.test(ts)) {
    return { ok: false, reason: 'missing_header' };
  }
  if (Math.abs(Math.floor(nowMs / 1000) - Number(ts)) > MAX_SKEW_SECONDS)
    return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signSlackRequest(secret, ts, rawBody));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'mismatch' };
  }
  return { ok: true };
}
