/**
 * Sign-in routes (issue 17): `/auth/entra/*` and `/auth/slack/*` (OpenID Connect, web/auth/oidc.ts) and
 * `/tab`, `/tab/session` (Teams tab SSO, web/auth/teams-sso.ts). Every outcome is audited by a short code,
 * never a name or an e-mail address; a refusal is a page that says what happened and what to do.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { OidcClientConfig, WebAuthConfig } from '../../app/config/web-auth.ts';
import type { Hub } from '../../app/container.ts';
import { sameSite } from '../ack-link-routes.ts';
import { safeNext } from '../sign-in-link.ts';
import { type MatchResult, matchEntra, matchSlack } from './match.ts';
import { clearedFlowCookie, FLOW_COOKIE, OidcClients, type SignInClaims, SignInRefused } from './oidc.ts';
import { type AuthPage, sendAuthPage as sendPage, sendTabPage } from './pages.ts';
import { TeamsSsoVerifier } from './teams-sso.ts';

export type Via = 'entra' | 'slack' | 'teams-sso';
/** web/session.ts's startSession, as the contract names it. */
export type StartSession = (
  hub: Hub,
  res: Response,
  s: { staffId: string; orgId: string; via: Via },
) => Promise<void>;

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

const TRY_AGAIN = { href: '/sign-in', text: 'Sign in again' };

async function audit(hub: Hub, action: string, details: Record<string, unknown>, who?: MatchResult) {
  const matched = who?.kind === 'matched' ? who : null;
  await hub.audit.record({
    orgId: matched?.orgId ?? (who?.kind === 'not-on-staff-list' ? who.orgId : null),
    actorId: matched?.staffId ?? null,
    actorKind: matched ? 'staff' : 'system',
    action,
    subjectType: 'web-session',
    subjectId: matched?.staffId ?? '-',
    channel: 'WEB',
    details,
  });
}

/** Matched: start the session and go on; otherwise the page that says why. */
async function complete(
  hub: Hub,
  res: Response,
  startSession: StartSession,
  via: Via,
  who: MatchResult,
  next: string,
): Promise<void> {
  const sendAuthPage = (r: Response, status: number, page: AuthPage) => sendPage(r, hub, status, page);
  if (who.kind === 'matched') {
    await audit(hub, 'web.sign_in_matched', { via, by: who.by }, who);
    await startSession(hub, res, { staffId: who.staffId, orgId: who.orgId, via });
    res.redirect(303, next);
    return;
  }
  if (who.kind === 'wrong-tenant') {
    await audit(hub, 'web.sign_in_refused', { via, reason: 'wrong-tenant' });
    sendAuthPage(res, 403, {
      title: 'This account belongs to another organisation',
      lines: [
        'You signed in with a Microsoft account from a directory this hub does not serve.',
        'Sign in with your work account, or ask your SEND Hub administrator.',
      ],
      link: TRY_AGAIN,
    });
    return;
  }
  await audit(hub, 'web.sign_in_not_on_staff_list', { via }, who);
  sendAuthPage(res, 403, {
    title: who.orgName ? `You are not on the staff list of ${who.orgName}` : 'You are not on the staff list',
    lines: [
      'You signed in, but SEND Hub could not find you among the staff it serves.',
      'Ask your SEND Hub administrator to add you (the staff import), then sign in again.',
    ],
    link: TRY_AGAIN,
  });
}

function refusedPage(err: SignInRefused, status = 400): [number, AuthPage] {
  return [status, { title: 'You could not be signed in', lines: [err.message], link: TRY_AGAIN }];
}

export function webAuthRoutes(
  router: Router,
  hub: Hub,
  cfg: WebAuthConfig,
  startSession: () => StartSession,
): void {
  const now = () => hub.clock.now();
  const sendAuthPage = (res: Response, status: number, page: AuthPage) => sendPage(res, hub, status, page);
  const oidc = new OidcClients(hub.cipher, now);
  const configured = new Map<string, OidcClientConfig>();
  if (cfg.entra) configured.set('entra', cfg.entra);
  if (cfg.slack) configured.set('slack', cfg.slack);

  router.get('/auth/:provider/start', async (req, res, next) => {
    try {
      const p = configured.get(String(req.params.provider));
      if (!p) return sendAuthPage(res, 404, notConfigured());
      let started: Awaited<ReturnType<OidcClients['start']>>;
      try {
        started = await oidc.start(p, safeNext(req.query.next));
      } catch (err) {
        hub.log.warn({ err: (err as Error).message, provider: p.id }, 'web sign-in: provider unreachable');
        return sendAuthPage(res, 502, {
          title: 'Sign-in is not available just now',
          lines: [
            `${p.id === 'entra' ? 'Microsoft' : 'Slack'} could not be reached. Try again in a few minutes.`,
          ],
          link: TRY_AGAIN,
        });
      }
      res.cookie(started.cookie.name, started.cookie.value, started.cookie.options);
      res.set('Cache-Control', 'no-store').redirect(303, started.url);
    } catch (err) {
      next(err);
    }
  });

  router.get('/auth/:provider/callback', async (req, res, next) => {
    try {
      const p = configured.get(String(req.params.provider));
      if (!p) return sendAuthPage(res, 404, notConfigured());
      const flow = cookie(req, FLOW_COOKIE);
      const cleared = clearedFlowCookie(p.id);
      res.cookie(cleared.name, cleared.value, cleared.options);
      const via: Via = p.id;
      if (typeof req.query.error === 'string') {
        // The provider's error code (letters and underscores only: the query string is anyone's to write).
        const code = req.query.error.replace(/[^a-z_]/gi, '').slice(0, 40);
        await audit(hub, 'web.sign_in_refused', { via, reason: `provider:${code}` });
        return sendAuthPage(res, 400, {
          title: 'You were not signed in',
          lines: ['The sign-in was cancelled or refused at the provider.'],
          link: TRY_AGAIN,
        });
      }
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
      let result: { claims: SignInClaims; next: string };
      try {
        result = await oidc.finish(p, flow, query);
      } catch (err) {
        if (!(err instanceof SignInRefused)) throw err;
        await audit(hub, 'web.sign_in_refused', { via, reason: err.reason });
        hub.log.info({ via, reason: err.reason }, 'web sign-in refused');
        return sendAuthPage(res, ...refusedPage(err));
      }
      const who =
        p.id === 'entra'
          ? await matchEntra(hub, result.claims, cfg.teamsSso?.tenantId ?? '')
          : await matchSlack(hub, result.claims);
      await complete(hub, res, startSession(), via, who, result.next);
    } catch (err) {
      next(err);
    }
  });

  const sso = cfg.teamsSso;
  const verifier = sso ? new TeamsSsoVerifier(sso, now) : null;
  router.get('/tab', (_req, res) => {
    if (!verifier) return sendAuthPage(res, 404, notConfigured());
    sendTabPage(res, hub);
  });
  router.post(
    '/tab/session',
    express.urlencoded({ extended: false, limit: '20kb' }),
    async (req, res, next) => {
      try {
        if (!verifier || !sso) return sendAuthPage(res, 404, notConfigured());
        if (!sameSite(req, cfg.publicUrl ?? undefined)) {
          await audit(hub, 'web.sign_in_refused', { via: 'teams-sso', reason: 'cross-site' });
          return sendAuthPage(res, 403, {
            title: 'You could not be signed in',
            lines: ['This request did not come from SEND Hub’s own tab.'],
          });
        }
        const token = String((req.body as Record<string, unknown> | undefined)?.token ?? '');
        let claims: SignInClaims;
        try {
          claims = await verifier.verify(token);
        } catch (err) {
          if (!(err instanceof SignInRefused)) throw err;
          await audit(hub, 'web.sign_in_refused', { via: 'teams-sso', reason: err.reason });
          hub.log.info({ via: 'teams-sso', reason: err.reason }, 'web sign-in refused');
          return sendAuthPage(res, 401, {
            title: 'You could not be signed in',
            lines: [
              err.message,
              'Close and reopen the SEND Hub tab. If it happens again, ask your SEND Hub administrator.',
            ],
          });
        }
        await complete(
          hub,
          res,
          startSession(),
          'teams-sso',
          await matchEntra(hub, claims, sso.tenantId),
          '/app',
        );
      } catch (err) {
        next(err);
      }
    },
  );
}

const notConfigured = (): AuthPage => ({
  title: 'This sign-in method is not set up',
  lines: ['Your SEND Hub administrator has not turned this sign-in method on.'],
  link: TRY_AGAIN,
});
