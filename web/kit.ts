/**
 * The page kit (issue 17): how a page area adds its pages. `WebRoutes.page` mounts a GET page that needs a
 * signed-in member of staff whom `allow` (from core/access/policy.ts) admits; `WebRoutes.action` a form POST
 * (CSRF and same-origin checked) under the same rules. Not signed in: a page redirects to /sign-in, an
 * action is refused (403). Not allowed: the 403 page, audited (`web.forbidden`). Every response carries
 * the security headers (web/security-headers.ts). `render` draws a template inside the layout with the
 * person's navigation (the pages whose `allow` admits them), their name, sign-out and the one-off flash.
 *
 * @example
 *   pages.page('/app/board', { title: 'Safeguarding board', nav: { label: 'Board', order: 10 },
 *     allow: (a) => canViewConcern(a, { orgId: a.orgId }) }, async (req, res, ctx) => {
 *       render(res, ctx, 'board/board.njk', { rows });
 *   });
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Hub } from '../app/container.ts';
import type { Actor } from '../core/ports.ts';
import { checkCsrf } from './csrf.ts';
import { renderTemplate } from './render.ts';
import { setWebSecurityHeaders } from './security-headers.ts';
import { currentSession, type SignedIn, webSessions } from './session.ts';

export interface NavLink {
  href: string;
  text: string;
  description?: string;
}

export interface Flash {
  text: string;
  kind: 'success' | 'important';
}

export interface WebContext {
  hub: Hub;
  actor: Actor;
  /** Put in every form: <input type="hidden" name="csrf" value="{{ csrfToken }}"> */
  csrfToken: string;
  now: Date;
  /** The page's title (PageOptions.title): the <title> and the default h1. */
  title: string;
  /** The request's path (no query), for the navigation's current item. */
  path: string;
  /** The pages this person may open, in order (the service navigation, the home page). */
  nav: NavLink[];
  /** The one-off message set by `flash` on the previous request, shown on this page. */
  flash: Flash | null;
  sessionId: string;
}

export interface PageOptions {
  title: string;
  /** Shown in the service navigation (and on the home page, with its description) when allow(actor). */
  nav?: { label: string; order: number; description?: string };
  /** A page for local authorities only: the 403 page says so to a school. */
  laOnly?: boolean;
  /**
   * From core/access/policy.ts; false -> the 403 page, audited (and no link to it). `org`: the person's
   * organisation (its kind: a page for local authorities only), null if it is gone.
   */
  allow: (actor: Actor, org: WebOrg | null) => boolean;
}

export type PageHandler = (req: Request, res: Response, ctx: WebContext) => Promise<void>;

export interface WebRoutes {
  /** GET page (also serves HEAD). Handler renders or sends (CSV/PDF downloads are fine from a page handler). */
  page(path: string, opts: PageOptions, handler: PageHandler): void;
  /** POST form action: urlencoded body (limit 16kb), CSRF checked (and same-origin), then handler. Redirect after POST (303). */
  action(path: string, opts: Omit<PageOptions, 'title' | 'nav'>, handler: PageHandler): void;
}

/** A way to sign in, shown as a button on /sign-in (web-auth adds Entra and Slack when configured). */
export interface SignInMethod {
  id: string;
  label: string;
  href: string;
}

/** The layout's variables for a person (or nobody: the sign-in and error pages). */
export function layoutVars(
  hub: Hub,
  who: { orgName?: string | null; ctx?: WebContext | undefined },
): Record<string, unknown> {
  const ctx = who.ctx;
  return {
    orgName: who.orgName ?? null,
    homeUrl: ctx ? '/app' : '/sign-in',
    nav: (ctx?.nav ?? []).map((n) => ({
      href: n.href,
      text: n.text,
      current: ctx?.path === n.href,
      active: ctx?.path !== n.href && ctx?.path.startsWith(`${n.href}/`),
    })),
    user: ctx ? { displayName: ctx.actor.displayName } : null,
    phase: hub.config.production ? null : 'development',
    flash: ctx?.flash ?? null,
  };
}

/** What the pages need of the signed-in person's organisation. */
export interface WebOrg {
  id: string;
  name: string;
  kind: string;
}
const orgCache = new WeakMap<Hub, Map<string, WebOrg>>();
async function orgOf(hub: Hub, orgId: string): Promise<WebOrg | null> {
  let m = orgCache.get(hub);
  if (!m) {
    m = new Map();
    orgCache.set(hub, m);
  }
  const known = m.get(orgId);
  if (known !== undefined) return known;
  const org = await hub.orgs.byId(orgId);
  if (org) m.set(orgId, { id: org.id, name: org.name, kind: org.kind });
  return org ? { id: org.id, name: org.name, kind: org.kind } : null;
}
const ctxOrg = new WeakMap<WebContext, WebOrg | null>();

/** Render web/pages/<area>/<template>.njk (or web/templates/...) inside the layout, with ctx's nav, user, csrf. */
export function render(
  res: Response,
  ctx: WebContext,
  template: string,
  vars: Record<string, unknown>,
  status = 200,
): void {
  const html = renderTemplate(template, {
    title: ctx.title,
    ...vars,
    csrfToken: ctx.csrfToken,
    layout: layoutVars(ctx.hub, { orgName: ctxOrg.get(ctx)?.name ?? null, ctx }),
  });
  res.status(status).type('html').send(html);
}

/** Render a page for someone not signed in (sign-in, "not on the staff list", errors before a session). */
export function renderPublic(
  res: Response,
  hub: Hub,
  template: string,
  vars: Record<string, unknown> & { title: string },
  status = 200,
): void {
  setWebSecurityHeaders(res);
  const html = renderTemplate(template, { ...vars, csrfToken: '', layout: layoutVars(hub, {}) });
  res.status(status).type('html').send(html);
}

/** A one-off flash message shown on the next page (e.g. "Concern C-1234 acknowledged"). No names. */
export async function flash(
  _res: Response,
  ctx: WebContext,
  text: string,
  kind: 'success' | 'important' = 'success',
): Promise<void> {
  await webSessions(ctx.hub).setFlash(ctx.sessionId, JSON.stringify({ text, kind }));
}

function parseFlash(raw: string | null): Flash | null {
  if (!raw) return null;
  try {
    const f = JSON.parse(raw) as Partial<Flash>;
    return typeof f.text === 'string'
      ? { text: f.text, kind: f.kind === 'important' ? 'important' : 'success' }
      : null;
  } catch {
    return null;
  }
}

interface Registered {
  path: string;
  opts: PageOptions;
}

export class WebKit implements WebRoutes {
  /** Pages with a navigation entry, in order. */
  private readonly navPages: Registered[] = [];
  /** Sign-in buttons on /sign-in (web/auth adds its methods when configured). */
  readonly signInMethods: SignInMethod[] = [];

  constructor(
    readonly router: Router,
    readonly hub: Hub,
  ) {}

  page(path: string, opts: PageOptions, handler: PageHandler): void {
    if (opts.nav) {
      this.navPages.push({ path, opts });
      this.navPages.sort((a, b) => (a.opts.nav?.order ?? 0) - (b.opts.nav?.order ?? 0));
    }
    this.router.get(path, this.guard(path, opts, 'page', handler));
  }

  action(path: string, opts: Omit<PageOptions, 'title' | 'nav'>, handler: PageHandler): void {
    this.router.post(
      path,
      express.urlencoded({ extended: false, limit: '16kb' }),
      this.guard(path, { ...opts, title: 'SEND Hub' }, 'action', handler),
    );
  }

  /** The pages this person may open (navigation order). */
  navFor(actor: Actor, org: WebOrg | null): NavLink[] {
    return this.navPages
      .filter((p) => p.opts.allow(actor, org))
      .map((p) => ({
        href: p.path,
        text: p.opts.nav?.label ?? p.opts.title,
        ...(p.opts.nav?.description ? { description: p.opts.nav.description } : {}),
      }));
  }

  /** The context of a signed-in request (also used by the 404 page). */
  async context(req: Request, signed: SignedIn, title: string): Promise<WebContext> {
    const org = await orgOf(this.hub, signed.actor.orgId);
    const ctx: WebContext = {
      hub: this.hub,
      actor: signed.actor,
      csrfToken: signed.csrfToken,
      now: this.hub.clock.now(),
      title,
      path: req.path,
      nav: this.navFor(signed.actor, org),
      flash: parseFlash(signed.session.flash),
      sessionId: signed.session.id,
    };
    ctxOrg.set(ctx, org);
    return ctx;
  }

  private guard(path: string, opts: PageOptions, kind: 'page' | 'action', handler: PageHandler) {
    const hub = this.hub;
    return async (req: Request, res: Response, next: (err?: unknown) => void) => {
      try {
        setWebSecurityHeaders(res);
        const signed = await currentSession(hub, req);
        if (!signed) {
          if (kind === 'page') {
            res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
            return;
          }
          renderPublic(res, hub, 'errors/signed-out.njk', { title: 'You are signed out' }, 403);
          return;
        }
        const ctx = await this.context(req, signed, opts.title);
        if (kind === 'action') {
          const verdict = checkCsrf(req, signed.csrfToken, hub.config.raw.PUBLIC_URL as string | undefined);
          if (verdict !== 'ok') {
            await audit(hub, ctx, 'web.csrf_refused', path, req, { reason: verdict });
            ctx.title = 'Nothing was changed';
            render(res, ctx, 'errors/csrf.njk', {}, 403);
            return;
          }
        }
        if (!opts.allow(signed.actor, ctxOrg.get(ctx) ?? null)) {
          await audit(hub, ctx, 'web.forbidden', path, req);
          ctx.title = 'You cannot open this page';
          render(res, ctx, 'errors/403.njk', forbiddenVars(ctx, opts), 403);
          return;
        }
        // The flash is shown once: cleared as this page (which shows it) is drawn.
        if (kind === 'page' && signed.session.flash) await webSessions(hub).setFlash(signed.session.id, null);
        await handler(req, res, ctx);
      } catch (err) {
        next(err);
      }
    };
  }
}

/**
 * The 403 page's words: a page for local authorities says so to a school (no role would open it there);
 * an admin is not told to ask the admin.
 */
export function forbiddenVars(ctx: WebContext, opts?: { laOnly?: boolean }): Record<string, unknown> {
  const org = ctxOrg.get(ctx) ?? null;
  return {
    laOnly: opts?.laOnly === true && org?.kind !== 'LOCAL_AUTHORITY',
    isAdmin: ctx.actor.roles.includes('ADMIN'),
  };
}

async function audit(
  hub: Hub,
  ctx: WebContext,
  action: string,
  route: string,
  req: Request,
  details: Record<string, unknown> = {},
): Promise<void> {
  await hub.audit.record({
    orgId: ctx.actor.orgId,
    actorId: ctx.actor.staffId,
    actorKind: 'staff',
    action,
    subjectType: 'web_page',
    subjectId: route,
    channel: 'WEB',
    details: { method: req.method, ...details },
  });
}
