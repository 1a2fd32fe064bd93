/**
 * Issue 15, point 13: while Microsoft's signing keys are unreachable, a token that cannot be valid whatever
 * the keys say (alg "none", HS256, an issuer that is neither the Bot Framework nor Entra ID, another
 * bot's audience, long expired) is refused with 401 without fetching the keys; only a well-formed RS256
 * token is answered 503 "cannot verify now". (Its own file: botbuilder caches the OpenID metadata per
 * process.)
 */
import { SignJWT } from 'jose';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { APP_ID, activity, channelToken, startTeamsHub, type TeamsTestHub } from './support.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = () => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://api.botframework.com',
    aud: APP_ID,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    serviceurl: 'https://smba.trafficmanager.net/uk/',
  };
};

describe.each(providers)('Teams tokens that cannot be valid, with Microsoft unreachable (%s)', (provider) => {
  let t: TeamsTestHub;
  let keyFetches = 0;
  beforeAll(async () => {
    nock('https://login.botframework.com')
      .persist()
      .get(/.*/)
      .reply(() => {
        keyFetches++;
        return [503, 'unavailable'];
      });
    t = await startTeamsHub(provider);
  });
  afterAll(async () => {
    nock.cleanAll();
    await t?.close();
  });

  it('refuses alg none, HS256, a foreign issuer, a foreign audience and an old token with 401 and no key fetch', async () => {
    const hs256 = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'test-key-1' })
      .sign(new TextEncoder().encode('a-shared-secret-an-attacker-chose-0123456789'));
    const bad: [string, string][] = [
      ['alg none, no signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      ['alg none, a signature', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.c2ln`],
      ['HS256', hs256],
      ['RS256 without kid', `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims())}.c2ln`],
      ['not JSON', 'bm90IGpzb24.bm90IGpzb24.c2ln'],
      ['foreign issuer', await channelToken({ iss: 'https://evil.example.com' })],
      ['issuer look-alike', await channelToken({ iss: 'https://api.botframework.com.evil.example' })],
      ['foreign audience', await channelToken({ aud: '00000000-0000-4000-8000-000000000000' })],
      ['expired a day ago', await channelToken({ expiresInSeconds: -86_400 })],
    ];
    const fetchesBefore = keyFetches;
    const before = await t.hub.dbh.db.chatIdentity.count();
    for (const [name, token] of bad) {
      const r = await t.post(activity('message', { text: 'help' }), token);
      expect(r.status, name).toBe(401);
      expect(r.body, name).toEqual({ error: 'unauthorized' });
    }
    expect(keyFetches).toBe(fetchesBefore);
    expect(await t.hub.dbh.db.chatIdentity.count()).toBe(before);
    expect(t.logOut.text()).toContain('teams: rejected an unauthenticated request');
    expect(t.logOut.text()).not.toContain('cannot verify tokens now');
  });

  it('answers 503 to a well-formed RS256 token whose key cannot be fetched', async () => {
    const fetchesBefore = keyFetches;
    const r = await t.post(activity('message', { text: 'help' }), await channelToken());
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: 'cannot verify the token now' });
    // It was left to botbuilder, which tried to fetch the keys (so the 401s above were the pre-check's).
    expect(keyFetches).toBeGreaterThan(fetchesBefore);
  });
});
