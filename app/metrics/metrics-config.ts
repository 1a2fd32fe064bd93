/** Metrics section of the environment (app/config/sections.ts). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const metricsEnvSchema = z.object({
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters). */
  METRICS_TOKEN: z.string().min(16, { message: 'expected at least 16 characters' }).optional(),
});

/**
 * Does an Authorization header carry `Bearer <token>`? Compared in constant time (both sides hashed to
 * the same length first), so the token cannot be guessed byte by byte from response times.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  return bearerChecker(token)(authorization);
}

/**
 * `bearerMatches` for one token, its digest computed once (a hot path such as /healthz hashes only what
 * the request brings). The comparison is still constant-time on equal-length digests.
 */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return (authorization) =>
    timingSafeEqual(
      createHash('sha256')
        .update(authorization ?? '')
        .digest(),
      expected,
    );
}

/** METRICS_TOKEN from the hub's configuration, when set. */
export function metricsToken(raw: Record<string, unknown>): string | undefined {
  return typeof raw.METRICS_TOKEN === 'string' && raw.METRICS_TOKEN ? raw.METRICS_TOKEN : undefined;
}
