/**
 * Web sessions (issue 17). Signing in (any method: Entra, Slack, the Teams tab, the development link) ends
 * in `startSession`: a random 256-bit token goes to the browser in an HttpOnly, Secure cookie and only its
 * SHA-256 is stored (WebSession), so every replica knows the session and a copy of the database signs no
 * one in. A session ends at sign-out, after IDLE_MS without a request, or MAX_AGE_MS after sign-in; a
 * member of staff made inactive is signed out at their next request. Sign-in and sign-out are audited.
 *
 * Cookies: SameSite=Lax for a browser tab; the Teams tab is a cross-site frame, so its session cookie is
 * SameSite=None and Partitioned (CHIPS: kept in Teams' partition only). Secure is honoured by browsers on
 * http://localhost and 127.0.0.1, so the demo works without TLS.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Hub } from '../app/container.ts';
import type { Actor } from '../core/ports.ts';
import {
  type SessionVia,
  type WebSessionDto,
  WebSessionRepository,
} from '../store/web-session-repository.ts';
import { csrfTokenFor } from './csrf.ts';

export type { SessionVia } from '../store/web-session-repository.ts';

/** `__Host-`: the browser refuses it unless Secure, Path=/ and no Domain (no sub-domain can set it). */
export const SESSION_COOKIE = '__Host-sendhub-session';
/** Idle timeout: two hours without a request (a lesson, a meeting). */
export const IDLE_MS = 2 * 3600_000;
/** Absolute lifetime: a school day. */
export const MAX_AGE_MS = 12 * 3600_000;
/** lastSeenAt is written at most this often (not a database write per request). */
const TOUCH_EVERY_MS = 60_000;

const repos = new WeakMap<Hub, WebSessionRepository>();
export function webSessions(hub: Hub): WebSessionRepository {
  let r = repos.get(hub);
  if (!r) {
    r = new WebSessionRepository(hub.dbh.db);
    repos.set(hub, r);
  }
  return r;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface SignedIn {
  session: WebSessionDto;
  actor: Actor;
  csrfToken: string;
}

function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function cookie(token: string, via: SessionVia): string {
  const sameSite = via === 'teams-sso' ? 'SameSite=None; Partitioned' : 'SameSite=Lax';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; Secure; ${sameSite}`;
}

/**
 * Sign a member of staff in: a new session, its cookie on `res`, audited (`web.sign_in`). Given the
 * request, a session its browser already had is ended first (a new sign-in never keeps an old token).
 */
export async function startSession(
  hub: Hub,
  res: Response,
  who: { staffId: string; orgId: string; via: SessionVia },
  req?: Request,
): Promise<void> {
  const now = hub.clock.now();
  const repo = webSessions(hub);
  const previous = req ? cookieValue(req, SESSION_COOKIE) : undefined;
  if (previous && previous.length <= 100) {
    const old = await repo.byTokenHash(hashToken(previous));
    if (old) await repo.delete(old.id);
  }
  await repo.sweep(now, new Date(now.getTime() - IDLE_MS));
  const token = randomBytes(32).toString('base64url');
  await repo.create({
    tokenHash: hashToken(token),
    staffId: who.staffId,
    orgId: who.orgId,
    via: who.via,
    now,
    expiresAt: new Date(now.getTime() + MAX_AGE_MS),
  });
  res.append('Set-Cookie', cookie(token, who.via));
  await hub.audit.record({
    orgId: who.orgId,
    actorId: who.staffId,
    actorKind: 'staff',
    action: 'web.sign_in',
    subjectType: 'staff',
    subjectId: who.staffId,
    channel: 'WEB',
    details: { via: who.via },
  });
}

/** The signed-in person behind this request, or null (no cookie, unknown, idle, expired, inactive staff). */
export async function currentSession(hub: Hub, req: Request): Promise<SignedIn | null> {
  const token = cookieValue(req, SESSION_COOKIE);
  if (!token || token.length > 100) return null;
  const repo = webSessions(hub);
  const session = await repo.byTokenHash(hashToken(token));
  if (!session) return null;
  const now = hub.clock.now().getTime();
  if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + IDLE_MS <= now) {
    await repo.delete(session.id);
    return null;
  }
  const actor = await hub.staff.actorForStaff(session.staffId);
  if (!actor || actor.orgId !== session.orgId) {
    await repo.delete(session.id);
    return null;
  }
  if (now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await repo.touch(session.id, new Date(now));
  return { session, actor, csrfToken: csrfTokenFor(token) };
}

/** Clear the cookie: the ordinary one and the Teams tab's partitioned one (a separate cookie jar). */
export function clearSessionCookie(res: Response): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`);
  res.append(
    'Set-Cookie',
    `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=None; Partitioned; Max-Age=0`,
  );
}

/** Sign out: the session row deleted, the cookie cleared, audited (`web.sign_out`). */
export async function endSession(hub: Hub, req: Request, res: Response): Promise<void> {
  const current = await currentSession(hub, req);
  clearSessionCookie(res);
  if (!current) return;
  await webSessions(hub).delete(current.session.id);
  await hub.audit.record({
    orgId: current.actor.orgId,
    actorId: current.actor.staffId,
    actorKind: 'staff',
    action: 'web.sign_out',
    subjectType: 'staff',
    subjectId: current.actor.staffId,
    channel: 'WEB',
    details: { via: current.session.via },
  });
}
