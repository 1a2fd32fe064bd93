/**
 * `/sign-in` (the ways to sign in that are set up, or a plain explanation when none is) and `/sign-out`
 * (a POST with the session's CSRF token: a link or an image on another site cannot sign anyone out).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Hub } from '../app/container.ts';
import { checkCsrf } from './csrf.ts';
import { render, renderPublic, type WebKit } from './kit.ts';
import { setWebSecurityHeaders } from './security-headers.ts';
import { currentSession, endSession } from './session.ts';
import { devLinksAllowed, safeNext } from './sign-in-link.ts';

export function signInRoutes(router: Router, hub: Hub, kit: WebKit): void {
  router.get('/sign-in', async (req: Request, res: Response, next: (e?: unknown) => void) => {
    try {
      const target = safeNext(req.query.next);
      if (await currentSession(hub, req)) {
        setWebSecurityHeaders(res);
        res.redirect(303, target);
        return;
      }
      const q = target === '/app' ? '' : `?next=${encodeURIComponent(target)}`;
      renderPublic(res, hub, 'sign-in/sign-in.njk', {
        title: 'Sign in to SEND Hub',
        methods: kit.signInMethods.map((m) => ({ label: m.label, href: `${m.href}${q}` })),
        devLinks: devLinksAllowed(hub),
        signedOut: req.query.signedOut === '1',
      });
    } catch (err) {
      next(err);
    }
  });

  router.post(
    '/sign-out',
    express.urlencoded({ extended: false, limit: '4kb' }),
    async (req: Request, res: Response, next: (e?: unknown) => void) => {
      try {
        setWebSecurityHeaders(res);
        const signed = await currentSession(hub, req);
        if (!signed) {
          res.redirect(303, '/sign-in');
          return;
        }
        const verdict = checkCsrf(req, signed.csrfToken, hub.config.raw.PUBLIC_URL as string | undefined);
        if (verdict !== 'ok') {
          const ctx = await kit.context(req, signed, 'Nothing was changed');
          await hub.audit.record({
            orgId: signed.actor.orgId,
            actorId: signed.actor.staffId,
            actorKind: 'staff',
            action: 'web.csrf_refused',
            subjectType: 'web_page',
            subjectId: '/sign-out',
            channel: 'WEB',
            details: { method: 'POST', reason: verdict },
          });
          render(res, ctx, 'errors/csrf.njk', {}, 403);
          return;
        }
        await endSession(hub, req, res);
        res.redirect(303, '/sign-in?signedOut=1');
      } catch (err) {
        next(err);
      }
    },
  );
}
