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
 * - every report carries `checkedAt`, so whoever reads the details sees how old the figures are;
 * - both bodies (public and details) are serialised once per computation, not once per request
 *   (app/metrics/health-endpoint.ts writes the bytes as they are).
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

/** One computation's answer, ready to write: status code and both bodies as bytes. */
export interface HealthAnswer {
  report: HealthReport & { checkedAt: string };
  /** 503 when the database is down, else 200. */
  statusCode: 200 | 503;
  /** `{ status, version }`. */
  publicBody: Buffer;
  /** The whole report (for the bearer of METRICS_TOKEN). */
  detailBody: Buffer;
}

function answerFor(report: HealthReport & { checkedAt: string }): HealthAnswer {
  return {
    report,
    statusCode: report.status === 'down' ? 503 : 200,
    publicBody: Buffer.from(JSON.stringify({ status: report.status, version: report.version })),
    detailBody: Buffer.from(JSON.stringify(report)),
  };
}

export class HealthCache {
  private current: HealthAnswer | undefined;
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
    return (await this.answer()).report;
  }

  /** The latest answer; waits only when there is none yet. */
  async answer(): Promise<HealthAnswer> {
    const ready = this.peek();
    if (ready) return ready;
    await this.refresh();
    return this.current as HealthAnswer;
  }

  /**
   * The latest answer without waiting (undefined before the first computation); starts a background
   * refresh when it is older than `refreshMs`. Synchronous, so a request can be answered in the turn of
   * the event loop that read it.
   */
  peek(): HealthAnswer | undefined {
    if (this.current && this.now() - this.at >= this.refreshMs) void this.refresh();
    return this.current;
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
    const checkedAt = new Date().toISOString();
    try {
      this.current = answerFor({ ...report, checkedAt });
    } catch {
      // A figure JSON cannot hold (a BigInt, a cycle): keep the status, drop the details.
      this.current = answerFor({
        status: report.status,
        version: report.version,
        checkedAt,
        error: 'unserialisable',
      });
    }
    this.at = started;
  }
}
