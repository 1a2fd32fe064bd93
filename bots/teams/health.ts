/**
 * Reachability of Microsoft's endpoints, for /healthz and `send-hub doctor`. The hub never waits for
 * them: it starts and serves without them, probes the Bot Framework OpenID metadata in the background
 * with backoff until it answers, and records how outbound token and Bot Connector calls went.
 */

export const BOT_OPENID_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';

interface Probe {
  ok: boolean | null;
  at?: string;
  lastOkAt?: string;
  error?: string;
  failures: number;
}

const fresh = (): Probe => ({ ok: null, failures: 0 });

export class TeamsHealth {
  readonly metadata: Probe = fresh();
  readonly connector: Probe = fresh();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly appType: string,
    private readonly now: () => Date = () => new Date(),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private mark(p: Probe, ok: boolean, error?: string): void {
    const at = this.now().toISOString();
    p.ok = ok;
    p.at = at;
    if (ok) {
      p.lastOkAt = at;
      p.failures = 0;
      delete p.error;
    } else {
      p.failures++;
      p.error = (error ?? 'unknown').slice(0, 200);
    }
  }

  connectorOk(): void {
    this.mark(this.connector, true);
  }

  connectorFailed(error: string): void {
    this.mark(this.connector, false, error);
  }

  metadataFailed(error: string): void {
    this.mark(this.metadata, false, error);
  }

  /** Fetch the OpenID metadata and its signing keys once (5 s timeout each). */
  async probeMetadata(): Promise<boolean> {
    try {
      const res = await this.fetchImpl(BOT_OPENID_METADATA_URL, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`OpenID metadata answered ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: string };
      if (!doc.jwks_uri) throw new Error('OpenID metadata has no jwks_uri');
      const keys = await this.fetchImpl(doc.jwks_uri, { signal: AbortSignal.timeout(5000) });
      if (!keys.ok) throw new Error(`signing keys answered ${keys.status}`);
      const body = (await keys.json()) as { keys?: unknown[] };
      if (!Array.isArray(body.keys) || body.keys.length === 0) throw new Error('no signing keys published');
      this.mark(this.metadata, true);
      return true;
    } catch (err) {
      this.mark(this.metadata, false, err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  /** Probe now and keep probing: every 6 h when healthy, with backoff (15 s … 10 min) when not. */
  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      const ok = await this.probeMetadata();
      if (this.stopped) return;
      const delay = ok
        ? 6 * 3600_000
        : Math.min(600_000, 15_000 * 2 ** Math.min(6, this.metadata.failures - 1));
      this.timer = setTimeout(loop, delay);
      this.timer.unref();
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async report(): Promise<{ ok: boolean; [k: string]: unknown }> {
    if (this.metadata.ok === null) await this.probeMetadata();
    const ok = this.metadata.ok === true && this.connector.ok !== false;
    return {
      ok,
      appType: this.appType,
      openIdMetadata: { ...this.metadata },
      connector: { ...this.connector },
    };
  }
}
