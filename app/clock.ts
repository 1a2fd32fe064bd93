import type { Clock } from '../core/ports.ts';
import type { Config } from './config/index.ts';

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that reads `start` now and advances with real time (timeouts and leases still run), for tests
 * that run `send-hub` in another process with fixed dates in their data.
 */
export function shiftedClock(start: Date, real: () => number = Date.now): Clock {
  const offset = start.getTime() - real();
  return { now: () => new Date(real() + offset) };
}

/**
 * The clock a hub or CLI process runs on: SEND_HUB_TEST_NOW (taken only with SEND_HUB_ENV=test; loadConfig
 * refuses it elsewhere) or the system clock.
 */
export function configuredClock(config: Config): Clock {
  const at = config.env.SEND_HUB_TEST_NOW;
  return at && config.env.SEND_HUB_ENV === 'test' ? shiftedClock(new Date(at)) : systemClock;
}
