/**
 * Checks the bot token with auth.test in the background and keeps retrying with backoff, so the hub
 * starts and serves (Teams, scheduler, /healthz) while Slack's API is unreachable. The state is shown in
 * /healthz and `send-hub doctor`.
 */
import type { Logger } from '../../app/logger.ts';
import { classifySlackError, slackErrorCode, type WebClient } from './slack-api.ts';

export interface TokenState {
  status: 'pending' | 'ok' | 'failed';
  teamId?: string;
  botUserId?: string;
  attempts: number;
  lastError?: string;
  checkedAt?: string;
}

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;

export class TokenMonitor {
  readonly state: TokenState = { status: 'pending', attempts: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Only the latest check may change the state (an older one finishing late is ignored). */
  private generation = 0;
  private current: Promise<TokenState> = Promise.resolve(this.state);

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly onOk: (
      teamId: string,
      botUserId: string | undefined,
      botId: string | undefined,
    ) => Promise<void> | void,
  ) {}

  start(): void {
    this.stopped = false;
    void this.check();
  }

  /** The latest check (started by start() or a retry), for tests and `doctor`. */
  whenChecked(): Promise<TokenState> {
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One auth.test; schedules the next try on failure. Resolves with the state. */
  check(): Promise<TokenState> {
    this.current = this.run();
    return this.current;
  }

  private async run(): Promise<TokenState> {
    // One retry loop at a time: a check started now replaces any retry already scheduled.
    if (this.timer) clearTimeout(this.timer);
    const gen = ++this.generation;
    this.state.attempts++;
    try {
      const r = await this.client.auth.test();
      if (gen !== this.generation) return this.state;
      Object.assign(this.state, {
        status: 'ok',
        teamId: r.team_id,
        botUserId: r.user_id,
        checkedAt: new Date().toISOString(),
      });
      delete this.state.lastError;
      this.log.info({ teamId: r.team_id }, 'slack: bot token verified');
      await this.onOk(r.team_id ?? '', r.user_id, r.bot_id);
    } catch (err) {
      if (gen !== this.generation) return this.state;
      const code = slackErrorCode(err);
      const c = classifySlackError(err);
      this.state.status = code && !('transient' in c && c.transient) ? 'failed' : 'pending';
      this.state.lastError = code ?? ('error' in c ? c.error : 'throttled');
      this.state.checkedAt = new Date().toISOString();
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(this.state.attempts - 1, 10));
      this.log.warn(
        { error: this.state.lastError, retryInMs: delay },
        'slack: token check failed; retrying in background',
      );
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.check(), delay);
        this.timer.unref();
      }
    }
    return this.state;
  }
}
