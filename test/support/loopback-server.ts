/**
 * A loopback HTTP server for the tests' stand-ins (an OIDC provider, Entra's keys, GOV.UK Notify) and for a
 * hub the tests wire up by hand, with the hub's own timeouts (app/server-timeouts.ts SERVER_TIMEOUTS: keep-alive 65 s,
 * headers and request 66 s). With Node's default 5 s, a connection the hub's fetch kept to a stand-in could
 * be closed just as the hub sent its next request on it after a pause under load ("other side closed").
 * close() ends idle connections at once and one whose response is in flight as soon as it is sent
 * (app/server-timeouts.ts closeServer), so a teardown is not held for the keep-alive timeout; a request the server
 * never answers is cut after CLOSE_BACKSTOP_MS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, SERVER_TIMEOUTS } from '../../app/server-timeouts.ts';

/** Beyond this a close() stops waiting for responses still in flight and ends their connections. */
export const CLOSE_BACKSTOP_MS = 2_000;

export interface LoopbackServer {
  server: http.Server;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

export async function startLoopbackServer(handler?: http.RequestListener): Promise<LoopbackServer> {
  const server = handler ? http.createServer(SERVER_TIMEOUTS, handler) : http.createServer(SERVER_TIMEOUTS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      const backstop = setTimeout(() => server.closeAllConnections(), CLOSE_BACKSTOP_MS);
      try {
        await closeServer(server);
      } finally {
        clearTimeout(backstop);
      }
    },
  };
}
