/**
 * Browser sign-in with OpenID Connect (issue 17), from the person's seat: a real provider on loopback
 * (oidc-provider) stands in for Entra ID and for Slack (with Slack's claim names); the test follows the real
 * redirects (hub -> provider -> login -> consent -> hub), the hub exchanges the code with PKCE and checks the
 * ID token. Refused: someone not on the staff list, a tampered state, a replayed code, an ID token for
 * another audience, an expired one, one with another nonce (the last three signed with the provider's key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../web/session.ts';
import { providers } from '../support/db.ts';
import { type AuthHub, JO_OID, reserveServer, startAuthHub, TENANT } from './auth-hub.ts';
import {
  CLIENT_SECRET,
  entraEnv,
  startEntraProvider,
  startProvider,
  type Tamper,
  type TestProvider,
  Walker,
} from './oidc-support.ts';

const SLACK_CLIENT = '1234567890.0987654321';
const TEAM = 'T0TEST';

describe.each(providers)('web sign-in with OpenID Connect (%s)', (db) => {
  let t: AuthHub;
  let entra: TestProvider;
  let slack: TestProvider;

  beforeAll(async () => {
    const reserved = await reserveServer();
    entra = await startEntraProvider(reserved.base, {
      jo: { oid: JO_OID, tid: TENANT, preferred_username: 'someone.else@test.sch.uk', name: 'Jo Smith' },
      dana: {
        oid: 'aaaaaaaa-0000-4000-8000-0000000000d4',
        tid: TENANT,
        preferred_username: 'DSL@test.sch.uk',
      },
      stranger: {
        oid: 'aaaaaaaa-0000-4000-8000-0000000000ff',
        tid: TENANT,
        preferred_username: 'nobody@test.sch.uk',
      },
    });
    slack = await startProvider({
      prefix: '',
      clientId: SLACK_CLIENT,
      redirectUri: `${reserved.base}/auth/slack/callback`,
      claimsByScope: {
        openid: ['sub', 'https://slack.com/user_id', 'https://slack.com/team_id'],
        email: ['email', 'email_verified'],
        profile: ['name'],
      },
      accounts: {
        U0DANA: {
          'https://slack.com/user_id': 'U0DANA',
          'https://slack.com/team_id': TEAM,
          email: 'dsl@test.sch.uk',
        },
        U0UNVERIFIED: {
          'https://slack.com/user_id': 'U0UNVERIFIED',
          'https://slack.com/team_id': TEAM,
          email: 'admin@test.sch.uk',
          email_verified: false,
        },
        U0NOBODY: {
          'https://slack.com/user_id': 'U0NOBODY',
          'https://slack.com/team_id': TEAM,
          email: 'nobody@test.sch.uk',
        },
      },
    });
    t = await startAuthHub(db, reserved, {
      ...entraEnv(entra),
      WEB_SLACK_CLIENT_ID: SLACK_CLIENT,
      WEB_SLACK_CLIENT_SECRET: CLIENT_SECRET,
      WEB_SLACK_ISSUER: slack.issuer,
    });
  });
  afterAll(async () => {
    await t?.close();
    await entra?.close();
    await slack?.close();
  });

  const via = { entra: () => entra, slack: () => slack };

  /** Start at the hub, go through the provider as `account`, stop before the hub's callback is opened. */
  async function toCallback(p: 'entra' | 'slack', account: string, w = new Walker()) {
    via[p]().as = account;
    const r = await w.follow(
      `${t.base}/auth/${p}/start?next=/app/board`,
      (u) => u.pathname === `/auth/${p}/callback`,
    );
    expect(r.stoppedAt, 'the provider sends the person back to the hub').toBeDefined();
    return { w, callback: r.stoppedAt as URL };
  }

  async function signIn(p: 'entra' | 'slack', account: string) {
    const { w, callback } = await toCallback(p, account);
    const res = await w.get(callback);
    return { w, callback, res, text: await res.text() };
  }

  it('the sign-in page offers Microsoft and Slack', async () => {
    const page = await (await fetch(`${t.base}/sign-in?next=/app/board`)).text();
    expect(page).toContain('Sign in with Microsoft');
    expect(page).toContain('href="/auth/entra/start?next=%2Fapp%2Fboard"');
    expect(page).toContain('Sign in with Slack');
  });

  it('Entra: PKCE, state and nonce sent; a staff member matched by object id is signed in and lands on the page asked for', async () => {
    const w = new Walker();
    const start = await w.get(`${t.base}/auth/entra/start?next=/app/board`);
    expect(start.status).toBe(303);
    const auth = new URL(start.headers.get('location') as string);
    expect(auth.origin + auth.pathname).toBe(`${entra.issuer}/auth`);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    for (const k of ['code_challenge', 'state', 'nonce'])
      expect(auth.searchParams.get(k)?.length).toBeGreaterThan(20);
    const flow = start.headers.getSetCookie().find((c) => c.startsWith('sendhub_oidc='));
    expect(flow).toMatch(/HttpOnly/i);
    expect(flow).toMatch(/SameSite=Lax/i);
    expect(flow).toMatch(/Secure/i);

    const { res } = await signIn('entra', 'jo');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app/board');
    const session = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(session).toBeDefined();
    const home = await (
      await fetch(`${t.base}/app`, { headers: { cookie: (session as string).split(';')[0] as string } })
    ).text();
    expect(home).toContain('Jo Smith');
    const matched = (await t.audits('web.sign_in_matched')).at(-1);
    expect(matched).toEqual({ actorId: t.staff.jo, details: { via: 'entra', by: 'oid' } });
  });

  it('Entra: matched by UPN within the tenant’s organisation, and the object id is remembered', async () => {
    const { res } = await signIn('entra', 'dana');
    expect(res.status).toBe(303);
    expect((await t.audits('web.sign_in_matched')).at(-1)).toEqual({
      actorId: t.staff.dana,
      details: { via: 'entra', by: 'email' },
    });
    const row = await t.hub.dbh.db.staff.findUnique({
      where: { id: t.staff.dana },
      select: { entraObjectId: true },
    });
    expect(row?.entraObjectId).toBe('aaaaaaaa-0000-4000-8000-0000000000d4');
  });

  it('Slack: matched by e-mail in the workspace’s organisation, the Slack identity linked, then known by id', async () => {
    const first = await signIn('slack', 'U0DANA');
    expect(first.res.status).toBe(303);
    expect(first.res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
    expect((await t.audits('web.sign_in_matched')).at(-1)).toEqual({
      actorId: t.staff.dana,
      details: { via: 'slack', by: 'email' },
    });
    expect(await t.hub.staff.actorFor('SLACK', TEAM, 'U0DANA')).toMatchObject({ staffId: t.staff.dana });
    expect((await t.audits('identity.linked')).at(-1)?.details).toMatchObject({
      slackUserId: 'U0DANA',
      by: 'web-sign-in',
    });
    await signIn('slack', 'U0DANA');
    expect((await t.audits('web.sign_in_matched')).at(-1)?.details).toEqual({ via: 'slack', by: 'slack-id' });
  });

  it('Slack: an e-mail address Slack has not verified matches no one', async () => {
    const { res, text } = await signIn('slack', 'U0UNVERIFIED');
    expect(res.status).toBe(403);
    expect(text).toContain('You are not on the staff list of Test Academy');
  });

  it.each([
    'entra',
    'slack',
  ] as const)('%s: someone not on the staff list reads so, and has no session', async (p) => {
    const { res, text } = await signIn(p, p === 'entra' ? 'stranger' : 'U0NOBODY');
    expect(res.status).toBe(403);
    expect(text).toContain('You are not on the staff list of Test Academy');
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    expect((await t.audits('web.sign_in_not_on_staff_list')).at(-1)?.details).toEqual({ via: p });
  });

  const refusedWith = async (p: 'entra' | 'slack', res: Response, reason: RegExp) => {
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).toContain('You could not be signed in');
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    const last = (await t.audits('web.sign_in_refused')).at(-1);
    expect(last?.details.via).toBe(p);
    expect(String(last?.details.reason)).toMatch(reason);
  };

  it.each(['entra', 'slack'] as const)('%s: a tampered state is refused', async (p) => {
    const { w, callback } = await toCallback(p, p === 'entra' ? 'jo' : 'U0DANA');
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    await refusedWith(p, await w.get(callback), /^state-mismatch$/);
  });

  it.each(['entra', 'slack'] as const)('%s: a code used once is refused the second time', async (p) => {
    const { w, callback } = await toCallback(p, p === 'entra' ? 'jo' : 'U0DANA');
    const flow = w.cookieHeader(t.base);
    expect((await w.get(callback)).status).toBe(303);
    // The same callback again with the same flow cookie (what someone who copied both would send).
    const replay = await fetch(callback, { redirect: 'manual', headers: { cookie: flow } });
    await refusedWith(p, replay, /^provider:invalid_grant$/);
  });

  const tampers: [string, Tamper, RegExp][] = [
    ['an ID token for another audience', (c) => ({ ...c, aud: 'some-other-app' }), /^wrong-audience$/],
    [
      'an expired ID token',
      (c) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
      /^expired-token$/,
    ],
    ['an ID token with another nonce', (c) => ({ ...c, nonce: 'not-the-one-we-sent' }), /^nonce-mismatch$/],
    ['an ID token without the nonce', ({ nonce: _, ...c }) => c, /^nonce-mismatch$/],
  ];
  for (const p of ['entra', 'slack'] as const) {
    for (const [what, tamper, reason] of tampers) {
      it(`${p}: ${what} is refused`, async () => {
        const { w, callback } = await toCallback(p, p === 'entra' ? 'jo' : 'U0DANA');
        via[p]().tamper = tamper;
        try {
          await refusedWith(p, await w.get(callback), reason);
        } finally {
          via[p]().tamper = null;
        }
      });
    }
    it(`${p}: the same re-signing with nothing changed is accepted (the refusals above are the changes)`, async () => {
      const { w, callback } = await toCallback(p, p === 'entra' ? 'jo' : 'U0DANA');
      via[p]().tamper = (c) => c;
      try {
        expect((await w.get(callback)).status).toBe(303);
      } finally {
        via[p]().tamper = null;
      }
    });
  }

  it('an unknown or not-configured provider name is a page, not an error', async () => {
    for (const name of ['constructor', '__proto__', 'google']) {
      const res = await fetch(`${t.base}/auth/${name}/start`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('This sign-in method is not set up');
    }
  });

  it('a callback without the flow cookie (not started here) is refused', async () => {
    const { callback } = await toCallback('entra', 'jo');
    const res = await fetch(callback, { redirect: 'manual' });
    await refusedWith('entra', res, /^no-flow$/);
  });
});
