/**
 * One-time sign-in links (issue 17), for development and tests only: `npm start` prints one for the demo
 * admin, and `send-hub web sign-in-link <email>` makes one for anyone on the staff list. A link is a random
 * 256-bit token (only its SHA-256 is stored, WebSignInLink), works once, for 10 minutes. In production
 * (SEND_HUB_ENV=production or NODE_ENV=production) none is made and the route does not exist: people sign
 * in with Entra ID, Slack or the Teams tab. Issued, used and refused links are all audited.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { Hub } from '../app/container.ts';
import { DomainError } from '../core/errors.ts';
import { renderPublic } from './kit.ts';
import { hashToken, startSession, webSessions } from './session.ts';

export const LINK_PATH = '/sign-in/link';
export const LINK_TTL_MS = 10 * 60_000;

export class SignInLinkRefused extends DomainError {
  constructor(
    readonly reason: 'production' | 'unknown_person',
    message: string,
  ) {
    super('FORBIDDEN', message);
  }
}

/** Development sign-in links exist only outside production. */
export function devLinksAllowed(hub: Hub): boolean {
  return !hub.config.production && hub.config.raw.NODE_ENV !== 'production';
}

/** The address people's browsers use: PUBLIC_URL, else http://localhost:<port>. */
export function baseUrl(hub: Hub, port?: number): string {
  const pub = hub.config.raw.PUBLIC_URL as string | undefined;
  return (pub ?? `http://localhost:${port ?? hub.config.env.PORT}`).replace(/\/+$/, '');
}

async function auditLink(
  hub: Hub,
  action: string,
  who: { staffId?: string; orgId?: string },
  details: object,
) {
  await hub.audit.record({
    orgId: who.orgId ?? null,
    actorId: null,
    actorKind: 'admin-cli',
    action,
    subjectType: who.staffId ? 'staff' : 'web_sign_in_link',
    subjectId: who.staffId ?? 'unknown',
    channel: 'WEB',
    details: { ...details },
  });
}

/**
 * Make a one-time sign-in link for the active member of staff with this e-mail. Returns its path
 * (`/sign-in/link/<token>`); refused with SignInLinkRefused in production or for an unknown address.
 */
export async function issueSignInLink(
  hub: Hub,
  email: string,
  opts: { orgId?: string; next?: string } = {},
): Promise<{ path: string; expiresAt: Date; staffId: string; orgId: string }> {
  if (!devLinksAllowed(hub)) {
    await auditLink(hub, 'web.link_refused', {}, { reason: 'production' });
    throw new SignInLinkRefused(
      'production',
      'sign-in links are for development only and are refused in production: sign in with Entra ID, Slack or the Teams tab (docs/web.md)',
    );
  }
  const staff = await hub.staff.byEmail(email, opts.orgId);
  if (!staff) {
    await auditLink(hub, 'web.link_refused', {}, { reason: 'unknown_person' });
    throw new SignInLinkRefused(
      'unknown_person',
      `no active member of staff has the e-mail ${email} (send-hub staff list)`,
    );
  }
  const now = hub.clock.now();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  await webSessions(hub).createLink({
    tokenHash: hashToken(token),
    staffId: staff.id,
    orgId: staff.orgId,
    now,
    expiresAt,
  });
  await auditLink(hub, 'web.link_issued', { staffId: staff.id, orgId: staff.orgId }, {});
  const next = opts.next ? `?next=${encodeURIComponent(opts.next)}` : '';
  return { path: `${LINK_PATH}/${token}${next}`, expiresAt, staffId: staff.id, orgId: staff.orgId };
}

/** `npm start` (development): one line with a sign-in link for the demo organisation's first admin. */
export async function demoSignInLine(hub: Hub, port: number): Promise<string | null> {
  if (!devLinksAllowed(hub)) return null;
  const org = (await hub.orgs.all())[0];
  if (!org) return null;
  const admin = (await hub.staff.withRole(org.id, 'ADMIN'))[0];
  if (!admin) return null;
  const link = await issueSignInLink(hub, admin.email, { orgId: org.id });
  return `Web pages: open ${baseUrl(hub, port)}${link.path} within 10 minutes to sign in as ${admin.displayName} (one use; \`send-hub web sign-in-link <email>\` makes another).\n`;
}

/** Only a path of the hub's own pages is followed after sign-in (never another site). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return '/app';
  if (!/^\/(app|tab)(\/[A-Za-z0-9\-._~/%?=&]*)?$/.test(next) || next.includes('//')) return '/app';
  return next;
}

const REFUSED = {
  unknown: {
    status: 404,
    title: 'This sign-in link is not valid',
    text: 'It may have been cut short when it was copied.',
  },
  used: { status: 410, title: 'This sign-in link has been used', text: 'Each link signs in once.' },
  expired: { status: 410, title: 'This sign-in link has expired', text: 'Links work for 10 minutes.' },
} as const;

/** GET /sign-in/link/:token (not mounted at all in production). */
export function signInLinkRoutes(router: Router, hub: Hub): void {
  if (!devLinksAllowed(hub)) return;
  router.get(`${LINK_PATH}/:token`, async (req: Request, res: Response, next: (e?: unknown) => void) => {
    try {
      const token = String(req.params.token ?? '');
      const use = /^[A-Za-z0-9_-]{20,100}$/.test(token)
        ? await webSessions(hub).useLink(hashToken(token), hub.clock.now())
        : ({ kind: 'unknown' } as const);
      const actor = use.kind === 'ok' ? await hub.staff.actorForStaff(use.staffId) : null;
      if (use.kind === 'ok' && actor) {
        await startSession(hub, res, { staffId: use.staffId, orgId: use.orgId, via: 'dev-link' }, req);
        res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer');
        res.redirect(303, safeNext(req.query.next));
        return;
      }
      const reason = use.kind === 'ok' ? 'unknown' : use.kind;
      await auditLink(hub, 'web.link_refused', 'staffId' in use ? use : {}, { reason });
      const r = REFUSED[reason];
      renderPublic(
        res,
        hub,
        'sign-in/link-refused.njk',
        { title: r.title, text: r.text, command: 'send-hub web sign-in-link <email>' },
        r.status,
      );
    } catch (err) {
      next(err);
    }
  });
}
