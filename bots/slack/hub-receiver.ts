/**
 * A Bolt Receiver on the hub's own express server (bolt-js's Receiver → App.processEvent seam). Two ways in:
 * - `dispatchAcked`: the route has already answered 200 (events, slash commands, button clicks: requests
 *   whose response carries nothing), so Bolt runs entirely after the ack and its `ack()` is a no-op.
 * - `dispatch`: the response body matters (a modal's view_submission answers with field errors or the
 *   next view), so the HTTP response is whatever the listener passes to `ack`. If no listener acks within
 *   the budget, an empty 200 goes out anyway so Slack never sees a timeout.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';

/** Slack waits 3 s; leave room for the network. */
export const ACK_BUDGET_MS = 2_500;

export interface AckResponse {
  status: number;
  body?: unknown;
}

export class HubReceiver implements Receiver {
  private app: App | undefined;

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /**
   * Process one verified Slack request; resolves with the HTTP response as soon as it is acknowledged.
   * `work` resolves when every listener has finished (tests and shutdown wait on it).
   */
  dispatch(
    body: Record<string, unknown>,
    retry: { num?: number; reason?: string },
    onError: (err: unknown) => void,
  ): { response: Promise<AckResponse>; work: Promise<void> } {
    const app = this.app;
    if (!app) throw new Error('HubReceiver used before Bolt initialised it');
    let settle!: (r: AckResponse) => void;
    let settled = false;
    const response = new Promise<AckResponse>((resolve) => {
      settle = (r) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
    });
    const timer = setTimeout(() => settle({ status: 200 }), ACK_BUDGET_MS);
    timer.unref();
    const event: ReceiverEvent = {
      body,
      ...(retry.num !== undefined ? { retryNum: retry.num } : {}),
      ...(retry.reason ? { retryReason: retry.reason } : {}),
      ack: async (answer?: unknown) => {
        settle(answer === undefined || answer === '' ? { status: 200 } : { status: 200, body: answer });
      },
    };
    const work = app.processEvent(event).then(
      () => settle({ status: 200 }),
      (err: unknown) => {
        onError(err);
        // Not acknowledged yet: a 500 lets Slack retry; acknowledged: nothing more to say.
        settle({ status: 500, body: { error: 'internal error' } });
      },
    );
    return { response, work };
  }

  /** Process a request that has already been acknowledged; resolves when every listener has finished. */
  async dispatchAcked(
    body: Record<string, unknown>,
    retry: { num?: number; reason?: string },
    onError: (err: unknown) => void,
  ): Promise<void> {
    const app = this.app;
    if (!app) throw new Error('HubReceiver used before Bolt initialised it');
    const event: ReceiverEvent = {
      body,
      ...(retry.num !== undefined ? { retryNum: retry.num } : {}),
      ...(retry.reason ? { retryReason: retry.reason } : {}),
      ack: async () => {},
    };
    await app.processEvent(event).catch(onError);
  }
}
