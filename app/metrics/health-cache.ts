/**
 * /healthz figures, computed in the background and served from memory. A load balancer, an uptime
 * checker and an attacker may all ask many times a second; none of them may cost a database query, so:
 *
 * - the report (database, outbox, modules, last tick: app/server.ts `healthReport`) is computed at most
 *   once per `refreshMs`: a request finding it older than that gets the cached one at once and starts one
 *   refresh in the background (never two at a time);
 * - only the very first request waits for a computation (there is nothing to serve before it);
 * - a computation that takes longer than `timeoutMs` (a database that does not answer) gives a "down"
 *   report, so a hung database is never reported as healthy from an old figure;
 * - every report carries `checkedAt`, so whoever reads the details sees how old the figures are.
 *
 * The public answer is `{ status, version }` only; the details are for the bearer of METRICS_TOKEN.
 */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  [detail: string]: unknown;
}

export interface HealthCacheOptions {
  /** Figures older than this are refreshed (in the background) on the next request. Default 2 s. */
  refreshMs?: number;
  /** A computation slower than this counts as the database being down. Default 15 s. */
  timeoutMs?: number;
  now?: () => number;
  version: string;
}

export class HealthCache {
  private current: (HealthReport & { checkedAt: string }) | undefined;
  private at = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  private readonly refreshMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly compute: () => Promise<HealthReport>,
    private readonly options: HealthCacheOptions,
  ) {
    this.refreshMs = options.refreshMs ?? 2_000;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The latest report; refreshed in the background when older than `refreshMs`. */
  async get(): Promise<HealthReport & { checkedAt: string }> {
    if (!this.current) await this.refresh();
    else if (this.now() - this.at >= this.refreshMs) void this.refresh();
    return this.current as HealthReport & { checkedAt: string };
  }

  /** Compute now (one computation at a time; callers during one share it). */
  refresh(): Promise<void> {
    this.refreshing ??= this.computeBounded().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async computeBounded(): Promise<void> {
    const started = this.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HealthReport>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'down', version: this.options.version, error: 'health check timed out' }),
        this.timeoutMs,
      );
      timer.unref();
    });
    const report = await Promise.race([
      this.compute().catch(
        (err: unknown): HealthReport => ({
          status: 'down',
          version: this.options.version,
          error: err instanceof Error ? err.name : 'unknown',
        }),
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    this.current = { ...report, checkedAt: new Date().toISOString() };
    this.at = started;
  }
}
