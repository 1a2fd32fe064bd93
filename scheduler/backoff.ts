/**
 * Retry delays: "decorrelated jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"), as
 * Company Communicator's MessageService uses for Teams 429/5xx. A platform's Retry-After is a floor.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 15 * 60_000 };

/**
 * @param attempt 1-based attempt number that just failed
 * @param random injectable for tests (0 ≤ r < 1)
 * @example nextDelayMs(1, defaultBackoff, () => 0.5) // between base and 3*base
 */
export function nextDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  let prev = policy.baseMs;
  let delay = policy.baseMs;
  for (let i = 0; i < attempt; i++) {
    delay = Math.min(policy.capMs, policy.baseMs + random() * (prev * 3 - policy.baseMs));
    prev = delay;
  }
  return Math.max(Math.round(delay), retryAfterMs ?? 0);
}
