/**
 * Microsoft unreachable: the hub still starts and serves, /healthz shows Teams degraded (not down), and a
 * request whose token cannot be checked gets 503 + Retry-After, never a side effect.
 * (Its own file: botbuilder caches the OpenID metadata per process.)
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthDetails } from '../support/health.ts';
import { activity, startTeamsHub, type TeamsTestHub } from './support.ts';

describe('Teams when Microsoft is unreachable (sqlite)', () => {
  let t: TeamsTestHub;
  beforeAll(async () => {
    nock('https://login.botframework.com').persist().get(/.*/).reply(503, 'unavailable');
    t = await startTeamsHub('sqlite');
  });
  afterAll(async () => {
    nock.cleanAll();
    await t?.close();
  });

  it('serves /healthz as degraded with the metadata failure, and answers 503 to a token it cannot check', async () => {
    const { status, body } = await healthDetails<{
      status: string;
      modules: { teams: { ok: boolean; openIdMetadata: { ok: boolean; error: string } } };
    }>(t.base);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.modules.teams.ok).toBe(false);
    expect(body.modules.teams.openIdMetadata.error).toMatch(/503/);
    const before = await t.hub.dbh.db.chatIdentity.count();
    const r = await t.post(activity('message', { text: 'help' }));
    expect(r.status).toBe(503);
    expect(await t.hub.dbh.db.chatIdentity.count()).toBe(before);
  });
});
