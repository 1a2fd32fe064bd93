/**
 * Issue 15, point 15: GET /healthz under 200 concurrent connections (a load balancer, an uptime checker and
 * an attacker asking at once). Before the fix every request ran the database checks: p99 1.15 s and 58
 * time-outs. Goal: p99 < 50 ms, no errors or time-outs.
 *
 * Like for like, in the same run: the baseline is a bare `node:http` server answering a constant JSON body
 * of the same size, in a child process started the same way as the hub's. The hub is the deployed one
 * (`startHub` with every default module, the demo school in SQLite, the scheduler and the delivery loop
 * running, logs at info level to /dev/null). Rounds are interleaved (hub, bare, hub, bare …) so both see
 * the same machine load; each figure is the median over rounds.
 *
 * Three processes, so that none measures itself: the load generator (autocannon) runs in its own child,
 * not in this parent, and each server child records its event-loop delay (perf_hooks
 * `monitorEventLoopDelay`) during every round and, before the rounds, over a few idle seconds (what the
 * hub's background work alone blocks: scheduler tick, delivery loop, health refresh). The parent only
 * orchestrates over IPC.
 *
 * Profiling: HEALTHZ_BENCH_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" starts the hub child with
 * those node flags (the profile is written when the child stops).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { closeServer, SERVER_TIMEOUTS } from '../app/server-timeouts.ts';
import type { Figure } from './figure.ts';
import { benchScale } from './support/bench-hub.ts';

export const description =
  'GET /healthz p50/p99 at 200 connections (hub with every module) vs a bare node:http server answering a constant; load generator in its own process; event-loop delay of each server';

const CONNECTIONS = 200;
/** Idle seconds over which the hub's own background work is watched for event-loop stalls. */
const IDLE_SECONDS = 5;

/** The part of autocannon's API used here (the package ships no types). */
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Cannon = (opts: Record<string, unknown>) => Promise<CannonResult>;
type Measured = { p50: number; p99: number; bad: number; requests: number };
/** Event-loop delay over an interval, in ms (histogram resolution 10 ms … 1 ms: see `watchLoop`). */
type LoopDelay = { p50: number; p99: number; max: number };

type Request =
  | { id: number; cmd: 'measure'; url: string; seconds: number }
  | { id: number; cmd: 'reset' | 'read' };
/** A request as the parent writes it (the id is added by `Child.ask`). */
type Ask = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
type Reply = { id: number; measured?: Measured; delay?: LoopDelay; error?: string };

/** A child process spoken to over IPC: one request at a time, one reply each. */
class Child {
  private next = 1;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private constructor(
    readonly role: string,
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {
    proc.on('message', (m: Reply) => this.waiting.get(m.id)?.(m));
  }

  static async start(role: string, nodeArgs: string[] = []): Promise<Child> {
    const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, HEALTHZ_BENCH_ROLE: role },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READY (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      proc.once('exit', (code) => reject(new Error(`${role} child exited (${code}) before it was ready`)));
    });
    return new Child(role, proc, port);
  }

  ask(req: Ask): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`${this.role} child exited during ${req.cmd}`));
      this.proc.once('exit', onExit);
      this.waiting.set(id, (r) => {
        this.waiting.delete(id);
        this.proc.off('exit', onExit);
        if (r.error) reject(new Error(`${this.role}: ${r.error}`));
        else resolve(r);
      });
      this.proc.send({ ...req, id });
    });
  }

  stop(): Promise<void> {
    if (this.proc.exitCode !== null) return Promise.resolve();
    return new Promise((r) => {
      this.proc.once('exit', () => r());
      this.proc.kill('SIGTERM');
    });
  }
}

/** Event-loop delay of this process, readable and resettable by the parent. */
function watchLoop(): (req: Request) => LoopDelay | undefined {
  // 1 ms sampling: finer than the figures that matter (a 50 ms goal), coarse enough to cost nothing.
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return (req) => {
    if (req.cmd === 'reset') h.reset();
    if (req.cmd !== 'read') return undefined;
    const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  };
}

function answer(handle: (req: Request) => Promise<Omit<Reply, 'id'>>): void {
  process.on('message', (req: Request) => {
    handle(req).then(
      (r) => process.send?.({ ...r, id: req.id }),
      (err: unknown) =>
        process.send?.({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

/** Child process: serve one side (or generate the load) and say READY <port>. */
async function serve(role: string): Promise<void> {
  if (role === 'load') {
    const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
    answer(async (req) => {
      if (req.cmd !== 'measure') return {};
      const r = await autocannon({
        url: req.url,
        connections: CONNECTIONS,
        duration: req.seconds,
        timeout: 10,
      });
      return {
        measured: {
          p50: r.latency.p50,
          p99: r.latency.p99,
          bad: r.non2xx + r.errors + r.timeouts,
          requests: r.requests.total,
        },
      };
    });
    process.on('disconnect', () => process.exit(0));
    process.stdout.write('READY 0\n');
    return;
  }
  const loop = watchLoop();
  answer(async (req) => ({ delay: loop(req) }));
  if (role === 'bare') {
    const body = JSON.stringify({ status: 'ok', version: '0.1.0' });
    // The hub's own server timeouts (keep-alive 65 s), like for like.
    const server = http.createServer(SERVER_TIMEOUTS, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
    process.on('SIGTERM', () => void closeServer(server).then(() => process.exit(0)));
    return;
  }
  const { hubForBench } = await import('./support/healthz-hub.ts');
  const running = await hubForBench();
  process.stdout.write(`READY ${running.port}\n`);
  process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** One round against one server: reset its loop monitor, load it, read the monitor. */
async function round(load: Child, server: Child, seconds: number): Promise<Measured & { loop: LoopDelay }> {
  await server.ask({ cmd: 'reset' });
  const { measured } = await load.ask({
    cmd: 'measure',
    url: `http://127.0.0.1:${server.port}/healthz`,
    seconds,
  });
  const { delay } = await server.ask({ cmd: 'read' });
  return { ...(measured as Measured), loop: delay as LoopDelay };
}

async function idleDelay(server: Child, seconds: number): Promise<LoopDelay> {
  await server.ask({ cmd: 'reset' });
  await new Promise<void>((r) => setTimeout(r, seconds * 1000));
  return (await server.ask({ cmd: 'read' })).delay as LoopDelay;
}

export async function run(): Promise<Figure[]> {
  const seconds = Math.max(1, Math.round(3 * benchScale()));
  const rounds = 3;
  const hubArgs = (process.env.HEALTHZ_BENCH_HUB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const [hub, bare, load] = await Promise.all([
    Child.start('hub', hubArgs),
    Child.start('bare'),
    Child.start('load'),
  ]);
  const hubRuns: Awaited<ReturnType<typeof round>>[] = [];
  const bareRuns: Awaited<ReturnType<typeof round>>[] = [];
  let idle: LoopDelay;
  try {
    // Warm-up (JIT, sockets, the first computation of the figures), not counted.
    await round(load, hub, 1);
    await round(load, bare, 1);
    // Idle, after start-up: what the hub's background work alone does to its event loop.
    idle = await idleDelay(hub, IDLE_SECONDS);
    for (let i = 0; i < rounds; i++) {
      hubRuns.push(await round(load, hub, seconds));
      bareRuns.push(await round(load, bare, seconds));
    }
  } finally {
    await Promise.all([hub.stop(), bare.stop(), load.stop()]);
  }
  const agg = (runs: typeof hubRuns) => ({
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    bad: runs.reduce((a, r) => a + r.bad, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    loopP99: median(runs.map((r) => r.loop.p99)),
    loopMax: Math.max(...runs.map((r) => r.loop.max)),
  });
  const h = agg(hubRuns);
  const b = agg(bareRuns);
  const ratio = h.p99 / Math.max(b.p99, 0.001);
  return [
    { name: 'healthz.hub.p50', value: h.p50, unit: 'ms' },
    { name: 'healthz.hub.p99', value: h.p99, unit: 'ms', goal: '< 50', pass: h.p99 < 50 },
    { name: 'healthz.bare_http.p50', value: b.p50, unit: 'ms' },
    { name: 'healthz.bare_http.p99', value: b.p99, unit: 'ms' },
    {
      name: 'healthz.p99_ratio_vs_bare_http',
      value: Math.round(ratio * 100) / 100,
      unit: 'ratio',
      baseline: 'bare node:http server answering the same constant JSON, 200 connections, same run',
    },
    { name: 'healthz.hub.requests', value: h.requests, unit: 'count' },
    { name: 'healthz.bare_http.requests', value: b.requests, unit: 'count' },
    { name: 'healthz.hub.errors_and_timeouts', value: h.bad, unit: 'count', goal: '0', pass: h.bad === 0 },
    { name: 'healthz.hub.event_loop_delay_p99', value: h.loopP99, unit: 'ms' },
    { name: 'healthz.hub.event_loop_delay_max', value: h.loopMax, unit: 'ms' },
    {
      name: 'healthz.bare_http.event_loop_delay_p99',
      value: b.loopP99,
      unit: 'ms',
      baseline: 'the bare server under the same load: what 200 connections alone cost an event loop',
    },
    { name: 'healthz.hub.idle_event_loop_delay_max', value: idle.max, unit: 'ms' },
  ];
}

const role = process.env.HEALTHZ_BENCH_ROLE;
if (role) {
  void serve(role);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (f) => console.table(f),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
