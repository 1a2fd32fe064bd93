/**
 * The web pages (issue 17) as a feature module: static assets, sign-in and sign-out, the development
 * sign-in link, every page area (web/pages/index.ts), and the 404 and 500 pages of /app drawn in the
 * layout (not JSON). `send-hub web sign-in-link <email>` makes a one-time link (development only).
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Hub } from '../app/container.ts';
import type { FeatureModule } from '../app/module.ts';
import { assetRoutes } from './assets.ts';
import { mountWebAuth } from './auth/module.ts';
import { render, renderPublic, WebKit } from './kit.ts';
import { registerPages } from './pages/index.ts';
import { setWebSecurityHeaders } from './security-headers.ts';
import { currentSession } from './session.ts';
import { baseUrl, issueSignInLink, signInLinkRoutes } from './sign-in-link.ts';
import { signInRoutes } from './sign-in-routes.ts';

const kits = new WeakMap<Hub, WebKit>();
/** The page kit of this hub's web pages (the latest mounted), e.g. for web/auth to add sign-in methods. */
export const webKitOf = (hub: Hub): WebKit | undefined => kits.get(hub);

/** The paths drawn as HTML pages (errors too); anything else keeps the server's JSON answers. */
const isWebPath = (p: string) => /^\/(app|sign-in|sign-out|tab|auth)(\/|$)/.test(p);

export function mountWeb(router: Router, hub: Hub, extra?: (web: Router, kit: WebKit) => void): WebKit {
  const web = express.Router();
  assetRoutes(web);
  const kit = new WebKit(web, hub);
  kits.set(hub, kit);
  web.get('/', (_req, res) => res.redirect(303, '/app'));
  signInRoutes(web, hub, kit);
  signInLinkRoutes(web, hub);
  extra?.(web, kit);
  registerPages(kit);

  // Not found under /app: the 404 page in the layout (with the person's navigation when signed in).
  web.use('/app', async (req: Request, res: Response, next: NextFunction) => {
    try {
      setWebSecurityHeaders(res);
      const signed = await currentSession(hub, req);
      if (!signed) {
        renderPublic(res, hub, 'errors/404.njk', { title: 'Page not found' }, 404);
        return;
      }
      render(res, await kit.context(req, signed, 'Page not found'), 'errors/404.njk', {}, 404);
    } catch (err) {
      next(err);
    }
  });

  web.use(
    (err: Error & { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
      if (!isWebPath(req.path) || res.headersSent) {
        next(err);
        return;
      }
      const status = err.status ?? 500;
      if (status >= 400 && status < 500) {
        const tooLarge = err.type === 'entity.too.large' || status === 413;
        renderPublic(res, hub, 'errors/400.njk', { title: 'Nothing was changed', tooLarge }, status);
        return;
      }
      // A reference to find the log line; the log names the error by its class (no record content).
      const ref = randomUUID().slice(0, 8);
      hub.log.error({ err, ref, path: req.route?.path ?? 'web' }, 'web page error');
      renderPublic(
        res,
        hub,
        'errors/500.njk',
        { title: 'Sorry, there is a problem with SEND Hub', ref },
        500,
      );
    },
  );
  router.use(web);
  return kit;
}

export function webModule(): FeatureModule {
  return {
    name: 'web',
    routes(router, hub) {
      // Entra ID and Slack sign-in, the Teams tab (web/auth).
      mountWeb(router, hub, (web, kit) => mountWebAuth(web, hub, kit));
    },
    cli(program, open, close) {
      program
        .command('web')
        .description('the web pages: a sign-in link for development')
        .command('sign-in-link <email>')
        .description('a one-time link that signs this member of staff in to the web pages (development only)')
        .action(async (email: string) => {
          const hub = await open();
          try {
            const link = await issueSignInLink(hub, email);
            console.log(
              `${baseUrl(hub)}${link.path}\n(one use, until ${link.expiresAt.toISOString()}; the hub must be running)`,
            );
          } finally {
            await close(hub);
          }
        });
    },
  };
}
