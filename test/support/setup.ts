/**
 * Every test file: no real network. Outbound calls to outside services must be declared with nock;
 * loopback (our own server, the local PostgreSQL) stays allowed.
 */
import nock from 'nock';
import { afterAll } from 'vitest';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));

afterAll(() => {
  nock.cleanAll();
});
