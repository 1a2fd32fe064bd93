/**
 * The planner tick: node-cron fires it; each tick runs the registered planners in order (meeting
 * reminders, deadlines, escalations, alerts … then "due reminders → outbox" last). A tick never overlaps
 * the previous one, and a failing planner is logged without stopping the others.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../core/ports.ts';
import type { DeliveryLogger } from './deliver.ts';

export interface Planner {
  name: string;
  run(now: Date): Promise<Record<string, number>>;
}

export interface TickReport {
  at: Date;
  ms: number;
  planners: Record<string, Record<string, number> | { error: string }>;
  /** Set when another replica holds the scheduler lease: this replica ran nothing. */
  skipped?: 'another replica is the scheduler';
}

/** A lease store (store/lease-repository.ts), so that exactly one replica runs each tick. */
export interface TickLease {
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export const SCHEDULER_LEASE = 'scheduler-tick';

export class Scheduler {
  private task: ScheduledTask | undefined;
  private running: Promise<TickReport> | undefined;
  lastTick: TickReport | undefined;
  private lease: { store: TickLease; owner: string; ttlMs: number } | undefined;
  private readonly listeners: ((report: TickReport) => void)[] = [];

  constructor(
    private readonly planners: Planner[],
    private readonly clock: Clock,
    private readonly log: DeliveryLogger,
    private readonly onTick?: (report: TickReport) => void,
  ) {}

  /**
   * Several replicas: each tick first takes (or renews) the scheduler lease; a replica that does not hold
   * it skips the tick. The leader keeps renewing at every tick, so leadership is stable; if it dies, the
   * lease expires after `ttlMs` (keep it above the tick interval) and another replica takes over.
   */
  useLease(store: TickLease, owner: string, ttlMs = 60_000): void {
    this.lease = { store, owner, ttlMs };
  }

  /** Metrics and others hear every tick report. */
  onTickReport(listener: (report: TickReport) => void): void {
    this.listeners.push(listener);
  }

  /** Run one tick now (tests, `send-hub tick`). Concurrent calls share the running tick. */
  tick(): Promise<TickReport> {
    this.running ??= this.runPlanners().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runPlanners(): Promise<TickReport> {
    const started = performance.now();
    const at = this.clock.now();
    if (
      this.lease &&
      !(await this.lease.store.acquire(SCHEDULER_LEASE, this.lease.owner, this.lease.ttlMs))
    ) {
      return {
        at,
        ms: performance.now() - started,
        planners: {},
        skipped: 'another replica is the scheduler',
      };
    }
    const planners: TickReport['planners'] = {};
    for (const p of this.planners) {
      try {
        planners[p.name] = await p.run(this.clock.now());
      } catch (err) {
        this.log.error({ err, planner: p.name }, 'planner failed');
        planners[p.name] = { error: err instanceof Error ? err.message : String(err) };
      }
    }
    const report = { at, ms: performance.now() - started, planners };
    this.lastTick = report;
    this.onTick?.(report);
    for (const l of this.listeners) l(report);
    return report;
  }

  start(expression: string, timeZone: string): void {
    if (!cron.validate(expression))
      throw new Error(`TICK_CRON "${expression}" is not a valid cron expression`);
    this.task = cron.schedule(
      expression,
      async () => {
        await this.tick();
      },
      { name: 'send-hub-tick', noOverlap: true, timezone: timeZone },
    );
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    await this.running;
    // Hand the scheduler over at once instead of letting the others wait for the lease to expire.
    if (this.lease) await this.lease.store.release(SCHEDULER_LEASE, this.lease.owner).catch(() => {});
  }
}
