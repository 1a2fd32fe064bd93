/**
 * The Teams personal tab's single sign-on (issue 17), from the tab's seat: /tab is a page Teams may frame,
 * loading teams-js and our script; the token Teams gives it is posted to /tab/session, checked against
 * Entra's keys (served here on loopback at Entra's path), and becomes a session (SameSite=None, Partitioned:
 * the tab is a third-party frame). Refused with a 401 page, audited: another tenant, audience or issuer, an
 * expired token, a token signed by another key.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../web/session.ts';
import { providers } from '../support/db.ts';
import { type LoopbackServer, startLoopbackServer } from '../support/loopback-server.ts';
import {
  type AuthHub,
  ENTRA_CLIENT,
  JO_OID,
  OTHER_TENANT,
  reserveServer,
  startAuthHub,
  TENANT,
} from './auth-hub.ts';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

describe.each(providers)('Teams tab SSO (%s)', (db) => {
  let t: AuthHub;
  let entra: LoopbackServer | undefined;
  let authority: string;
  let keys: Keys;
  let otherKeys: Keys;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256', { extractable: true });
    otherKeys = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'entra-key-1', alg: 'RS256', use: 'sig' };
    // Entra's keys, with the hub's timeouts (test/support/loopback-server.ts).
    entra = await startLoopbackServer((req, res) => {
      if (req.url === `/${TENANT}/discovery/v2.0/keys`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    authority = entra.origin;
    t = await startAuthHub(db, await reserveServer(), {
      WEB_ENTRA_CLIENT_ID: ENTRA_CLIENT,
      WEB_ENTRA_CLIENT_SECRET: 'unused-here',
      WEB_ENTRA_TENANT_ID: TENANT,
      WEB_ENTRA_AUTHORITY: authority,
    });
  });
  afterAll(async () => {
    await t?.close();
    await entra?.close();
  });

  /** A token as Entra issues it to Teams for our app, at the hub's clock; `o` changes a claim. */
  async function token(o: Record<string, unknown> = {}, key: Keys = keys): Promise<string> {
    const now = Math.floor(t.clock.now().getTime() / 1000);
    return new SignJWT({
      aud: `api://${new URL(t.base).host}/${ENTRA_CLIENT}`,
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      oid: JO_OID,
      upn: 'jo.smith@test.sch.uk',
      scp: 'access_as_user',
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      ...o,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'entra-key-1', typ: 'JWT' })
      .sign(key.privateKey);
  }

  const post = (tok: string, origin = t.base) =>
    fetch(`${t.base}/tab/session`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ token: tok }),
    });

  it('/tab may be framed by Teams, loads teams-js and the tab script (no inline script)', async () => {
    const res = await fetch(`${t.base}/tab`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/teams\.microsoft\.com/);
    expect(csp).toContain("script-src 'self'");
    // teams-js fetches Microsoft's list of Teams hosts; only the tab page may connect there.
    expect(csp).toMatch(/connect-src 'self' https:\/\/res\.cdn\.office\.net;/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
    expect(scripts.filter((a) => !a.includes('src='))).toEqual([]);
    const vendor = html.match(/src="(\/assets\/vendor\/MicrosoftTeams\.min\.js[^"]*)"/)?.[1];
    expect(vendor).toBeDefined();
    expect(html).toMatch(/src="\/assets\/app\/teams-tab\.js/);
    const js = await fetch(`${t.base}${vendor}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('getAuthToken');
  });

  it('a valid token (v1 issuer, api:// audience) signs the teacher in: session cookie for a third-party frame, into /app', async () => {
    const res = await post(await token());
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) as string;
    expect(cookie).toMatch(/SameSite=None/);
    expect(cookie).toMatch(/Partitioned/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    const home = await fetch(`${t.base}/app`, { headers: { cookie: cookie.split(';')[0] as string } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Jo Smith');
    expect((await t.audits('web.sign_in')).at(-1)).toEqual({
      actorId: t.staff.jo,
      details: { via: 'teams-sso' },
    });
  });

  it('a v2 token (v2 issuer, the client id as audience) matched by UPN also signs in', async () => {
    const res = await post(
      await token({
        iss: `${authority}/${TENANT}/v2.0`,
        aud: ENTRA_CLIENT,
        oid: 'aaaaaaaa-0000-4000-8000-00000000d5d5',
        upn: undefined,
        preferred_username: 'dsl@test.sch.uk',
      }),
    );
    expect(res.status).toBe(303);
    expect((await t.audits('web.sign_in_matched')).at(-1)).toEqual({
      actorId: t.staff.dana,
      details: { via: 'teams-sso', by: 'email' },
    });
  });

  it('the botid- audience (one app registration for the bot and the tab) is accepted', async () => {
    const res = await post(await token({ aud: `api://${new URL(t.base).host}/botid-${ENTRA_CLIENT}` }));
    expect(res.status).toBe(303);
  });

  it('someone of the tenant not on the staff list reads so', async () => {
    const res = await post(
      await token({ oid: 'aaaaaaaa-0000-4000-8000-0000000000ff', upn: 'nobody@test.sch.uk' }),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('You are not on the staff list of Test Academy');
  });

  const refusals: [string, () => Promise<string>, string][] = [
    ['another tenant', () => token({ tid: OTHER_TENANT }), 'wrong-tenant'],
    [
      'another tenant’s issuer',
      () => token({ iss: `https://sts.windows.net/${OTHER_TENANT}/` }),
      'wrong-issuer',
    ],
    ['another audience', () => token({ aud: 'api://elsewhere.example/some-other-app' }), 'wrong-audience'],
    [
      'an expired token',
      () => token({ exp: Math.floor(t.clock.now().getTime() / 1000) - 3600, iat: 1, nbf: 1 }),
      'expired-token',
    ],
    ['a token signed by another key', () => token({}, otherKeys), 'bad-signature'],
  ];
  it.each(refusals)('%s: 401 with a page that says so, audited, no session', async (_what, make, reason) => {
    const res = await post(await make());
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('You could not be signed in');
    expect(text).toContain('Close and reopen the SEND Hub tab');
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    expect((await t.audits('web.sign_in_refused')).at(-1)?.details).toEqual({ via: 'teams-sso', reason });
  });

  it('a token posted from another site is refused', async () => {
    const res = await post(await token(), 'https://evil.example');
    expect(res.status).toBe(403);
    expect((await t.audits('web.sign_in_refused')).at(-1)?.details).toEqual({
      via: 'teams-sso',
      reason: 'cross-site',
    });
  });
});
