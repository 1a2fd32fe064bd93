import type { Clock } from '../../core/ports.ts';

/** A clock for benchmarks that stays where it is put (so ticks are comparable). */
export class FixedClock implements Clock {
  private t: number;
  constructor(at: Date) {
    this.t = at.getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date): void {
    this.t = at.getTime();
  }
}
