import type { Clock } from '../../core/ports.ts';

/** A clock the test moves by hand (habit 10: fakes implement a port). */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
  advanceMinutes(n: number): Date {
    return this.advance(n * 60_000);
  }
  advanceDays(n: number): Date {
    return this.advance(n * 86_400_000);
  }
}
