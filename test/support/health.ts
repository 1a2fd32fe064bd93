/**
 * Reading /healthz as an operator does: the public body, or the details with
 * `Authorization: Bearer <METRICS_TOKEN>`. The figures are computed in the background (refreshed at most
 * every 2 s), so a test that changed something waits for the figure it expects, never for a fixed time.
 */
import { expect } from 'vitest';

/** The METRICS_TOKEN the test hubs are started with. */
export const HEALTH_TOKEN = 'test-metrics-token-0123456789abcdef';

export interface HealthAnswer<T> {
  status: number;
  body: T;
}

/** GET /healthz with the details; with `until`, asked again until the details satisfy it (15 s at most). */
export async function healthDetails<T = Record<string, unknown>>(
  base: string,
  until?: (body: T) => boolean,
): Promise<HealthAnswer<T>> {
  const ask = async (): Promise<HealthAnswer<T>> => {
    const r = await fetch(`${base}/healthz`, { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
    return { status: r.status, body: (await r.json()) as T };
  };
  if (!until) return ask();
  let last: HealthAnswer<T> | undefined;
  await expect
    .poll(
      async () => {
        last = await ask();
        return until(last.body);
      },
      { timeout: 15_000, interval: 100 },
    )
    .toBe(true);
  return last as HealthAnswer<T>;
}
