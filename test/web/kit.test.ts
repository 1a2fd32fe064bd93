/**
 * The web pages' kit (issue 17) over real HTTP on loopback, on each database: not signed in -> sign-in;
 * a one-time link signs in once (HttpOnly, Secure, SameSite cookie); the home page lists only what the role
 * may open; a page the role may not open is refused (403, audited); a form without its CSRF token or from
 * another site changes nothing (403, audited); security headers on every /app response; static assets
 * (types, cache, no fonts, no traversal); idle and absolute expiry; sign-out; production refuses links.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeatureModule } from '../../app/module.ts';
import { canAdminister } from '../../core/access/policy.ts';
import { render } from '../../web/kit.ts';
import { IDLE_MS, MAX_AGE_MS } from '../../web/session.ts';
import { issueSignInLink } from '../../web/sign-in-link.ts';
import { mountWeb } from '../../web/web-module.ts';
import { providers } from '../support/db.ts';
import { type School, seedWebSchool, signIn, startWebHub, type WebHub } from '../support/web.ts';

/** The web module with one extra admin-only page and action (as a page area adds them). */
function webWithTestPages(): FeatureModule {
  return {
    name: 'web',
    routes: (router, hub) =>
      void mountWeb(router, hub, (_web, kit) => {
        kit.page(
          '/app/admin/test',
          {
            title: 'Test admin page',
            nav: { label: 'Admin test', order: 90, description: 'Only admins see this.' },
            allow: (a) => canAdminister(a, a.orgId),
          },
          async (_req, res, ctx) => render(res, ctx, 'errors/404.njk', { title: 'Admin test page' }),
        );
        kit.action('/app/admin/test', { allow: (a) => canAdminister(a, a.orgId) }, async (_req, res, ctx) => {
          await ctx.hub.audit.record({
            orgId: ctx.actor.orgId,
            actorId: ctx.actor.staffId,
            actorKind: 'staff',
            action: 'test.changed',
            subjectType: 'test',
            subjectId: 'x',
            channel: 'WEB',
          });
          const { flash } = await import('../../web/kit.ts');
          await flash(res, ctx, 'Test change saved');
          res.redirect(303, '/app');
        });
        kit.page('/app/broken', { title: 'Broken', allow: () => true }, async () => {
          throw new Error('database went away');
        });
      }),
  };
}

describe.each(providers)('web kit on %s', (provider) => {
  let w: WebHub;
  let s: School;
  beforeEach(async () => {
    w = await startWebHub(provider, { modules: [webWithTestPages()] });
    s = await seedWebSchool(w.hub);
  });
  afterEach(async () => {
    await w.close();
  });

  const audits = async (action: string) => (await w.hub.audit.recent(500)).filter((e) => e.action === action);

  it('redirects to sign-in when not signed in; a link signs in once, with a safe cookie; home lists what the role may open', async () => {
    const anon = await fetch(`${w.base}/app/admin/test`, { redirect: 'manual' });
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toBe('/sign-in?next=%2Fapp%2Fadmin%2Ftest');
    const signInPage = await fetch(`${w.base}/sign-in`);
    expect(signInPage.status).toBe(200);
    const text = await signInPage.text();
    expect(text).toContain('No way of signing in to the web pages has been set up yet');
    expect(text).toContain('send-hub web sign-in-link');

    const link = await issueSignInLink(w.hub, 'admin@quarrydene.example', { next: '/app/admin/test' });
    const first = await fetch(`${w.base}${link.path}`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/app/admin/test');
    const setCookie = first.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(
      /^__Host-sendhub-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/m,
    );
    const again = await fetch(`${w.base}${link.path}`, { redirect: 'manual' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This sign-in link has been used');
    expect((await audits('web.link_refused')).map((e) => e.details)).toContainEqual({ reason: 'used' });
    expect((await audits('web.sign_in')).map((e) => e.details)).toEqual([{ via: 'dev-link' }]);

    const cookie = setCookie.split(';')[0] ?? '';
    const home = await fetch(`${w.base}/app`, { headers: { cookie } });
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain('Hello, Ada Admin');
    expect(html).toContain('Quarrydene Academy');
    expect(html).toContain('href="/app/admin/test"');
    expect(html).toContain('Only admins see this.');
    expect(html).toContain('Sign out');
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>/); // no inline script
    expect(html).not.toMatch(/Crown copyright|GOV\.UK|govuk-crest|GDS Transport/);

    const teacher = await signIn(w, 'teacher@quarrydene.example');
    const theirHome = await (await teacher.fetch('/app')).text();
    expect(theirHome).toContain('Hello, Tess Teacher');
    expect(theirHome).not.toContain('/app/admin/test');
  });

  it('refuses a page the role may not open (403 page, audited) and answers 404 in the layout', async () => {
    const teacher = await signIn(w, 'teacher@quarrydene.example');
    const res = await teacher.fetch('/app/admin/test');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Your role does not let you open this page');
    const refused = await audits('web.forbidden');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.actorId).toBe(s.staff.teacher);
    expect(refused[0]?.subjectId).toBe('/app/admin/test');

    const missing = await teacher.fetch('/app/no-such-page');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await missing.text();
    expect(page).toContain('Page not found');
    expect(page).toContain('Tess Teacher');
  });

  it('a form without its CSRF token, with a wrong one, or from another site changes nothing (403, audited)', async () => {
    const admin = await signIn(w, 'admin@quarrydene.example');
    const csrf = await admin.csrf();
    const form = (fields: Record<string, string>, origin: string) =>
      admin.fetch('/app/admin/test', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams(fields).toString(),
      });
    for (const [fields, origin, reason] of [
      [{}, w.base, 'missing_token'],
      [{ csrf: `${csrf.slice(0, -2)}xx` }, w.base, 'bad_token'],
      [{ csrf }, 'https://evil.example', 'cross_site'],
    ] as const) {
      const res = await form(fields, origin);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Nothing was changed');
      expect((await audits('web.csrf_refused')).map((e) => e.details)).toContainEqual({
        method: 'POST',
        reason,
      });
    }
    expect(await audits('test.changed')).toHaveLength(0);

    const ok = await admin.post('/app/admin/test');
    expect(ok.status).toBe(303);
    expect(await audits('test.changed')).toHaveLength(1);
    // The flash shows once, on the next page.
    expect(await (await admin.fetch('/app')).text()).toContain('Test change saved');
    expect(await (await admin.fetch('/app')).text()).not.toContain('Test change saved');

    // Not signed in: a POST is refused, not redirected.
    const anon = await fetch(`${w.base}/app/admin/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: w.base },
      body: `csrf=${csrf}`,
      redirect: 'manual',
    });
    expect(anon.status).toBe(403);
    expect(await audits('test.changed')).toHaveLength(1);
  });

  it('draws a failing page as the 500 page and an oversized form as 413, both in the layout', async () => {
    const admin = await signIn(w, 'admin@quarrydene.example');
    const broken = await admin.fetch('/app/broken');
    expect(broken.status).toBe(500);
    expect(broken.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await broken.text();
    expect(page).toContain('Sorry, there is a problem with SEND Hub');
    expect(page).not.toContain('database went away');
    const ref = page.match(/reference: <strong>([0-9a-f]{8})<\/strong>/)?.[1];
    expect(ref).toBeDefined();
    expect(w.logOut.text()).toContain(`"ref":"${ref}"`);

    const csrf = await admin.csrf();
    const big = await admin.fetch('/app/admin/test', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: w.base },
      body: new URLSearchParams({ csrf, note: 'x'.repeat(20_000) }).toString(),
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('it was too large');
    expect(await audits('test.changed')).toHaveLength(0);
  });

  it('signs out a member of staff made inactive at their next request', async () => {
    const teacher = await signIn(w, 'teacher@quarrydene.example');
    expect((await teacher.fetch('/app')).status).toBe(200);
    await w.hub.dbh.db.staff.update({ where: { id: s.staff.teacher }, data: { active: false } });
    expect((await teacher.fetch('/app')).status).toBe(303);
    await w.hub.dbh.db.staff.update({ where: { id: s.staff.teacher }, data: { active: true } });
    expect((await teacher.fetch('/app')).status).toBe(303);
  });

  it('a new sign-in in the same browser ends the session it had', async () => {
    const first = await signIn(w, 'dsl@quarrydene.example');
    const link = await issueSignInLink(w.hub, 'dsl@quarrydene.example');
    const again = await fetch(`${w.base}${link.path}`, {
      redirect: 'manual',
      headers: { cookie: first.cookie },
    });
    expect(again.status).toBe(303);
    expect((await first.fetch('/app')).status).toBe(303);
    const second = again.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    expect((await fetch(`${w.base}/app`, { headers: { cookie: second }, redirect: 'manual' })).status).toBe(
      200,
    );
  });

  it('a link opened five times at once signs in exactly once', async () => {
    const link = await issueSignInLink(w.hub, 'deputy@quarrydene.example');
    const all = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${w.base}${link.path}`, { redirect: 'manual' })),
    );
    expect(all.map((r) => r.status).sort()).toEqual([303, 410, 410, 410, 410]);
    expect(await audits('web.sign_in')).toHaveLength(1);
  });

  it('sends the security headers on every /app response', async () => {
    const admin = await signIn(w, 'admin@quarrydene.example');
    const teacher = await signIn(w, 'teacher@quarrydene.example');
    const responses = [
      await admin.fetch('/app'),
      await admin.fetch('/app/admin/test'),
      await teacher.fetch('/app/admin/test'),
      await teacher.fetch('/app/nothing-here'),
      await fetch(`${w.base}/app`, { redirect: 'manual' }),
      await fetch(`${w.base}/sign-in`),
    ];
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain('frame-ancestors ');
      expect(csp).toContain('https://teams.microsoft.com');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
  });

  it('serves assets with their types and long cache, no GOV.UK typeface, and refuses traversal', async () => {
    const home = await (await (await signIn(w, 'admin@quarrydene.example')).fetch('/app')).text();
    const cssUrl = home.match(/href="(\/assets\/govuk\/govuk-frontend\.min\.css\?v=[0-9a-f]+)"/)?.[1];
    expect(cssUrl).toBeDefined();
    const css = await fetch(`${w.base}${cssUrl}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = await css.text();
    expect(body).toContain('.govuk-button');
    expect(body).not.toMatch(/GDS Transport|@font-face|\/assets\/fonts/);
    const js = await fetch(`${w.base}/assets/govuk/govuk-frontend.min.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('no-cache');
    const etag = js.headers.get('etag') ?? '';
    expect(
      (await fetch(`${w.base}/assets/govuk/govuk-frontend.min.js`, { headers: { 'if-none-match': etag } }))
        .status,
    ).toBe(304);
    expect((await fetch(`${w.base}/assets/app/app.css`)).status).toBe(200);
    expect((await fetch(`${w.base}/assets/vendor/MicrosoftTeams.min.js`)).status).toBe(200);

    for (const p of [
      '/assets/govuk/fonts/bold-b542beb274-v2.woff2',
      '/assets/govuk/assets/fonts/bold-b542beb274-v2.woff2',
      '/assets/govuk/images/govuk-crest.svg',
      '/assets/app/',
      '/assets/app/../../package.json',
      '/assets/app/%2e%2e/%2e%2e/package.json',
      '/assets/app/..%2f..%2fpackage.json',
      '/assets/vendor/..%2f@microsoft%2fteams-js%2fpackage.json',
      '/assets/vendor/teams-js',
      '/assets/vendor/chart.umd.min.js',
      '/assets/app/.%2e/kit.ts',
    ]) {
      const res = await fetch(`${w.base}${p}`);
      expect(res.status, p).toBe(404);
      expect(await res.text(), p).not.toContain('"name"');
    }
  });

  it('ends a session after the idle time and after its lifetime; sign-out ends it at once', async () => {
    const admin = await signIn(w, 'admin@quarrydene.example');
    w.clock.advanceMinutes(IDLE_MS / 60_000 - 1);
    expect((await admin.fetch('/app')).status).toBe(200);
    w.clock.advanceMinutes(IDLE_MS / 60_000 - 1);
    expect((await admin.fetch('/app')).status).toBe(200);
    w.clock.advanceMinutes(IDLE_MS / 60_000 + 1);
    const idle = await admin.fetch('/app');
    expect(idle.status).toBe(303);
    expect(idle.headers.get('location')).toMatch(/^\/sign-in/);

    const busy = await signIn(w, 'admin@quarrydene.example');
    for (let m = 0; m < MAX_AGE_MS / 60_000 - 60; m += 60) {
      w.clock.advanceMinutes(60);
      expect((await busy.fetch('/app')).status).toBe(200);
    }
    w.clock.advanceMinutes(61);
    expect((await busy.fetch('/app')).status).toBe(303);

    const leaving = await signIn(w, 'admin@quarrydene.example');
    const csrf = await leaving.csrf();
    const cross = await leaving.fetch('/sign-out', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: `csrf=${csrf}`,
    });
    expect(cross.status).toBe(403);
    expect((await leaving.fetch('/app')).status).toBe(200);
    const out = await leaving.post('/sign-out');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/sign-in?signedOut=1');
    expect(out.headers.getSetCookie().join()).toContain('Max-Age=0');
    expect((await leaving.fetch('/app')).status).toBe(303);
    expect(await audits('web.sign_out')).toHaveLength(1);
  });

  it('a link expires after 10 minutes; an unknown link is refused; both audited', async () => {
    const link = await issueSignInLink(w.hub, 'dsl@quarrydene.example');
    w.clock.advanceMinutes(11);
    const late = await fetch(`${w.base}${link.path}`, { redirect: 'manual' });
    expect(late.status).toBe(410);
    expect(await late.text()).toContain('This sign-in link has expired');
    expect(late.headers.getSetCookie()).toEqual([]);
    const bogus = await fetch(`${w.base}/sign-in/link/${'x'.repeat(43)}`, { redirect: 'manual' });
    expect(bogus.status).toBe(404);
    expect((await audits('web.link_refused')).map((e) => e.details)).toEqual(
      expect.arrayContaining([{ reason: 'expired' }, { reason: 'unknown' }]),
    );
    await expect(issueSignInLink(w.hub, 'nobody@quarrydene.example')).rejects.toThrow(
      /no active member of staff/,
    );
  });
});

describe.each(providers)('web sign-in links in production on %s', (provider) => {
  it('are refused and not even routed', async () => {
    const w = await startWebHub(provider, {
      env: { SEND_HUB_ENV: 'production' },
      modules: [webWithTestPages()],
    });
    try {
      await seedWebSchool(w.hub);
      await expect(issueSignInLink(w.hub, 'admin@quarrydene.example')).rejects.toThrow(/development only/);
      const route = await fetch(`${w.base}/sign-in/link/${'a'.repeat(43)}`, { redirect: 'manual' });
      expect(route.status).toBe(404);
      expect(route.headers.get('content-type')).toMatch(/json/);
      const page = await (await fetch(`${w.base}/sign-in`)).text();
      expect(page).not.toContain('sign-in-link');
      expect(page).not.toContain('development');
      const refused = (await w.hub.audit.recent(50)).filter((e) => e.action === 'web.link_refused');
      expect(refused.map((e) => e.details)).toEqual([{ reason: 'production' }]);
    } finally {
      await w.close();
    }
  });
});
