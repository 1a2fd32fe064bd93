/**
 * /healthz answered before Express (app/metrics/health-endpoint.ts; issue 15 point 15): a plain GET or
 * HEAD is written from bytes serialised once per computation, in node:http's own 'request' listener.
 * - which requests take the fast path and which go on to the app (a body, `/healthz/`, other methods);
 * - on the hub's real server: status codes, headers (as the Express route gave them, minus an ETag that
 *   no-store makes useless), keep-alive, public vs token body, HEAD, a query string, and a database
 *   outage reported as before (503 "down", no path or driver message).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HealthCache, type HealthReport } from '../../app/metrics/health-cache.ts';
import { healthEndpoint } from '../../app/metrics/health-endpoint.ts';
import { createApp, listen, type RunningServer, VERSION } from '../../app/server.ts';
import { providers } from '../support/db.ts';
import { databaseOutage, HEALTH_TOKEN, healthDetails, restoreDatabase } from '../support/health.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type LoopbackServer, startLoopbackServer } from '../support/loopback-server.ts';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw request (node:http, so HEAD, a body on GET and socket reuse are all visible). */
function ask(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(`${base}${path}`, { method: opts.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Requests one after another on ONE TCP connection (raw bytes: the test's HTTP client goes through nock,
 * which does not keep connections alive). Fails if the server closes the connection before the last answer.
 */
function onOneSocket(port: number, requestLines: string[]): Promise<RawAnswer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const answers: RawAnswer[] = [];
    let buffered = Buffer.alloc(0);
    const sendNext = () => socket.write(`${requestLines[answers.length]}\r\nHost: 127.0.0.1\r\n\r\n`);
    socket.on('connect', sendNext);
    socket.on('error', reject);
    socket.on('close', () => {
      if (answers.length < requestLines.length) reject(new Error(`closed after ${answers.length} answers`));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const isHead = requestLines[answers.length]?.startsWith('HEAD ');
      const length = isHead ? 0 : Number(headers['content-length'] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
      buffered = buffered.subarray(end + 4 + length);
      answers.push({ status: Number(statusLine.split(' ')[1]), headers, body });
      if (answers.length === requestLines.length) {
        socket.destroy();
        resolve(answers);
      } else sendNext();
    });
  });
}

describe('the front listener', () => {
  let server: LoopbackServer | undefined;
  let base: string;
  let status: HealthReport['status'] = 'ok';
  let computations = 0;

  beforeAll(async () => {
    const cache = new HealthCache(
      async () => {
        computations++;
        return { status, version: VERSION, secret: 'detail' };
      },
      { version: VERSION, refreshMs: 0 },
    );
    const { front } = healthEndpoint(cache, HEALTH_TOKEN);
    // Whatever the front listener leaves, this "app" answers 418, so the test sees who answered; the
    // server has the hub's own timeouts, as listen() gives its server (test/support/loopback-server.ts).
    server = await startLoopbackServer((req, res) => {
      if (!front(req, res)) {
        req.resume();
        res.writeHead(418).end('app');
      }
    });
    base = server.origin;
  });
  afterAll(() => server?.close());

  it('answers a plain GET or HEAD of /healthz (any query string) and leaves everything else to the app', async () => {
    for (const [method, path] of [
      ['GET', '/healthz'],
      ['HEAD', '/healthz'],
      ['GET', '/healthz?probe=lb'],
    ] as const)
      expect((await ask(base, path, { method })).status, `${method} ${path}`).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/healthz', undefined],
      ['PUT', '/healthz', undefined],
      ['GET', '/healthz/', undefined],
      ['GET', '/healthzz', undefined],
      ['GET', '/HEALTHZ', undefined],
      ['GET', '/metrics', undefined],
      // A body goes through the app, whose size limit must see it first.
      ['GET', '/healthz', '{"x":1}'],
    ] as const)
      expect((await ask(base, path, { method, body })).status, `${method} ${path}`).toBe(418);
  });

  it('serves the cached answer and turns 503 when a computation says the database is down', async () => {
    expect((await ask(base, '/healthz')).body).toBe(JSON.stringify({ status: 'ok', version: VERSION }));
    status = 'down';
    // refreshMs 0: each request starts a refresh in the background and is answered from the last one.
    await expect.poll(async () => (await ask(base, '/healthz')).status, { timeout: 5_000 }).toBe(503);
    const down = await ask(base, '/healthz');
    expect(down.body).toBe(JSON.stringify({ status: 'down', version: VERSION }));
    expect((await ask(base, '/healthz', { method: 'HEAD' })).status).toBe(503);
    status = 'ok';
    await expect.poll(async () => (await ask(base, '/healthz')).status, { timeout: 5_000 }).toBe(200);
    expect(computations).toBeGreaterThan(2);
  });
});

describe.each(providers)('/healthz fast path on the hub on %s', (provider) => {
  let t: TestHub;
  let server: RunningServer;
  let base: string;

  beforeEach(async () => {
    t = await startTestHub(provider, { env: { METRICS_TOKEN: HEALTH_TOKEN } });
    server = await listen(createApp(t.hub), 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterEach(async () => {
    await server.close();
    await restoreDatabase(t);
    await t.close().catch(() => {});
  });

  it('answers with the same headers as before, keeps the connection alive, and HEAD has no body', async () => {
    const [first, second, head] = (await onOneSocket(server.port, [
      'GET /healthz HTTP/1.1',
      'GET /healthz?from=lb HTTP/1.1',
      'HEAD /healthz HTTP/1.1',
    ])) as [RawAnswer, RawAnswer, RawAnswer];
    for (const a of [first, second]) {
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toEqual({ status: 'ok', version: VERSION });
      expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(a.headers['cache-control']).toBe('no-store');
      expect(Number(a.headers['content-length'])).toBe(Buffer.byteLength(a.body));
      expect(a.headers.connection).toBe('keep-alive');
      expect(a.headers['x-powered-by']).toBeUndefined();
    }
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(first.headers['content-length']);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(head.headers['cache-control']).toBe('no-store');
    expect(head.headers.connection).toBe('keep-alive');
  });

  it('shows the details only to the bearer of METRICS_TOKEN, on GET and on the Express route alike', async () => {
    const wrong = `${HEALTH_TOKEN.slice(0, -1)}x`;
    for (const authorization of [
      undefined,
      `Bearer ${wrong}`,
      'Bearer',
      HEALTH_TOKEN,
      `bearer ${HEALTH_TOKEN}`,
    ]) {
      const a = await ask(base, '/healthz', authorization ? { headers: { authorization } } : {});
      expect(JSON.parse(a.body), String(authorization)).toEqual({ status: 'ok', version: VERSION });
    }
    const details = await ask(base, '/healthz', { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
    expect(JSON.parse(details.body)).toMatchObject({ status: 'ok', database: { ok: true, provider } });
    // `/healthz/` and a GET with a body are answered by Express's route: same answer, same rules.
    const viaExpress = await ask(base, '/healthz/', { headers: { authorization: `Bearer ${HEALTH_TOKEN}` } });
    expect(JSON.parse(viaExpress.body)).toMatchObject({ status: 'ok', database: { ok: true, provider } });
    const withBody = await ask(base, '/healthz', { body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(withBody.status).toBe(200);
    expect(JSON.parse(withBody.body)).toEqual({ status: 'ok', version: VERSION });
    expect((await ask(base, '/healthz', { method: 'POST' })).status).toBe(404);
  });

  it('reports a database outage as before: 503 "down" on GET and HEAD, no path or driver message', async () => {
    await databaseOutage(t);
    const down = await healthDetails<{ status: string; database: { error?: string } }>(
      base,
      (b) => b.status === 'down',
    );
    expect(down.status).toBe(503);
    expect(down.body.database.error).toMatch(/^[A-Za-z0-9_]+$/);
    const pub = await ask(base, '/healthz');
    expect(pub.status).toBe(503);
    expect(JSON.parse(pub.body)).toEqual({ status: 'down', version: VERSION });
    expect(pub.body).not.toMatch(/\/|\.ts|prisma|invocation/i);
    const head = await ask(base, '/healthz', { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(head.body).toBe('');
  });
});
