/**
 * One hub replica as a child process, for the multi-replica tests and benchmarks: the real container on
 * DATABASE_URL, a Teams-like HTTP channel to the fake platform, the shared rate limiter, and the delivery
 * loop with a short lease (so that a SIGKILLed replica's claims expire quickly and are taken over).
 * Prints "ready" on stdout when it is delivering; SIGTERM stops it gracefully.
 *
 * Env: DATABASE_URL, PLATFORM_URL, WORKER_ID, LEASE_MS (default 2000), BATCH (20), PARALLEL, RULES (JSON
 * { perConversation, perTenant } to override the published limits).
 */
import { Deliverer } from '../../scheduler/deliver.ts';
import { RateLimitRepository } from '../../store/rate-limit-repository.ts';
import { benchHub } from './bench-hub.ts';
import { HttpPlatformChannel } from './http-platform-channel.ts';

const env = process.env;
const rules = env.RULES ? JSON.parse(env.RULES) : undefined;
const channel = new HttpPlatformChannel(env.PLATFORM_URL!, rules);
const hub = await benchHub(env.DATABASE_URL!, { channels: [channel], workerId: env.WORKER_ID! });
const quiet = () => {};
const silent = {
  info: quiet,
  warn: env.REPLICA_DEBUG
    ? (o: object, m: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`)
    : quiet,
  error: (o: object, m: string) =>
    process.stderr.write(`${env.WORKER_ID} ${m}: ${String((o as { err?: unknown }).err)}\n`),
};
const deliverer = new Deliverer(hub.outbox, hub.staff, hub.router, hub.orgs, hub.clock, silent, {
  workerId: env.WORKER_ID!,
  leaseMs: Number(env.LEASE_MS ?? 2000),
  batchSize: Number(env.BATCH ?? 20),
  ...(env.PARALLEL ? { parallel: Number(env.PARALLEL) } : {}),
  rateLimiter: new RateLimitRepository(hub.dbh.db, hub.clock, hub.dbh.provider),
});
deliverer.start(20);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void deliverer.stop().then(async () => {
    await hub.dbh.close();
    process.exit(0);
  });
});
