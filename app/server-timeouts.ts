/**
 * The HTTP server's timeouts and shutdown, shared by the hub's server (app/server.ts `listen`) and the stand-ins
 * the tests and benchmarks run for the services the hub calls (test/support/loopback-server.ts, bench/support),
 * without loading Express. docs/scaling.md "The HTTP server's timeouts".
 */
import type http from 'node:http';

/**
 * How long an idle kept-alive connection stays open after its last response. A reverse proxy or load
 * balancer keeps idle connections to the hub and reuses them; if the hub closes one first, the proxy's next
 * request on it fails (a 502 to the user). So the hub must outlast the proxy: nginx's upstream
 * `keepalive_timeout` and an AWS application load balancer's idle timeout are 60 s by default. Node
 * closes an idle connection a second after the timeout it advertises (`Keep-Alive: timeout=65`, so at
 * 66 s); clients that read the header (undici's fetch, in Node and the tests) drop it a second before
 * (64 s). Node's default (5 s: undici dropped at 4 s, the server closed at 6 s) raced with any client that
 * paused about that long under load: the request went out on a connection the hub was closing ("other
 * side closed", ECONNRESET). docs/scaling.md "The HTTP server's timeouts".
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/**
 * A request's headers must arrive within this, and the whole request within REQUEST_TIMEOUT_MS (Node checks
 * both every 30 s, from the request's first byte). Above the keep-alive timeout, as proxies' guidance asks
 * (Node before 18 measured an idle kept-alive connection's headers time from the previous request and
 * closed it early); Node requires headersTimeout <= requestTimeout.
 */
export const HEADERS_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS + 1_000;
export const REQUEST_TIMEOUT_MS = HEADERS_TIMEOUT_MS;

/**
 * The timeouts above as `http.createServer` options: the hub's server, and the stand-ins the tests and
 * benchmarks run for the services the hub calls (Entra, Notify, Slack), so the hub's own requests to them
 * never meet Node's default 5 s either.
 */
export const SERVER_TIMEOUTS = {
  keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
} as const satisfies http.ServerOptions;

/**
 * Stop listening and end every connection: idle ones now; one whose response is in flight becomes idle when
 * it is sent, and is closed within 50 ms (not after the keep-alive timeout, which would hold a shutdown, or
 * a test's teardown, for 65 s).
 */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((done) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      done();
    });
    server.closeIdleConnections();
  });
}
