/**
 * One lane per Slack conversation: sends to the same channel go one at a time, at least a second apart
 * (Slack: chat.postMessage "1 message per second per channel, short bursts allowed"), and after a 429 the
 * lane stays closed until Retry-After has passed, so a later message can never overtake a throttled one.
 */
import type { DeliveryResult } from '../../core/ports.ts';

export interface LaneOptions {
  minIntervalMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

interface Lane {
  tail: Promise<unknown>;
  lastAt: number;
  blockedUntil: number;
}

export class ChannelLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: LaneOptions) {}

  /** Run `send` in the lane of `channelId`; returns `throttled` without sending while the lane is closed. */
  run(channelId: string, send: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
    const lane = this.lane(channelId);
    const result = lane.tail.then(async (): Promise<DeliveryResult> => {
      const now = this.options.now();
      if (lane.blockedUntil > now) return { outcome: 'throttled', retryAfterMs: lane.blockedUntil - now };
      const wait = lane.lastAt + this.options.minIntervalMs - now;
      if (wait > 0) await this.options.sleep(wait);
      lane.lastAt = this.options.now();
      const r = await send();
      if (r.outcome === 'throttled') lane.blockedUntil = this.options.now() + (r.retryAfterMs ?? 1000);
      return r;
    });
    lane.tail = result.catch(() => undefined);
    return result;
  }

  /** Milliseconds until the lane opens again (0 when open). */
  closedFor(channelId: string): number {
    const lane = this.lanes.get(channelId);
    return lane ? Math.max(0, lane.blockedUntil - this.options.now()) : 0;
  }

  private lane(channelId: string): Lane {
    let lane = this.lanes.get(channelId);
    if (!lane) {
      if (this.lanes.size > 10_000) this.prune();
      lane = { tail: Promise.resolve(), lastAt: Number.NEGATIVE_INFINITY, blockedUntil: 0 };
      this.lanes.set(channelId, lane);
    }
    return lane;
  }

  private prune(): void {
    const cutoff = this.options.now() - 60_000;
    for (const [k, l] of this.lanes) if (l.lastAt < cutoff && l.blockedUntil < cutoff) this.lanes.delete(k);
  }
}
