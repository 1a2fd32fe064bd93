/**
 * The acknowledge link's HTTP routes (issue 16), mounted by the safeguarding module on the hub's server:
 * `GET /ack/<token>` shows the page (never acknowledges: mail scanners open every link), and
 * `POST /ack/<token>` (the page's form, the token also in the body) acknowledges.
 *
 * CSRF: the token itself is the secret a forged request would need; on top, a POST whose Origin (or,
 * without one, Referer) is another site is refused. Every response: no-store, no referrer, no framing,
 * and a Content-Security-Policy that allows no script (web/ack-link-page.ts).
 */
import { createRequire } from 'node:module';
import type { Request, Response, Router } from 'express';
import { ACK_PATH } from '../app/safeguarding/out-of-chat.ts';
import type { AckLinks, LinkPage } from '../app/safeguarding/out-of-chat-ack.ts';
import { CONTENT_SECURITY_POLICY, renderAckPage } from './ack-link-page.ts';

/** Is the POST from this hub's own page? The public origin (PUBLIC_URL) or the Host the request came to. */
export function sameSite(req: Request, publicUrl: string | undefined): boolean {
  const allowed = new Set<string>();
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  const host = req.get('host');
  if (host) allowed.add(`${req.protocol}://${host}`);
  const origin = req.get('origin');
  if (origin && origin !== 'null') return allowed.has(origin);
  const referer = req.get('referer');
  if (referer) {
    try {
      return allowed.has(new URL(referer).origin);
    } catch {
      return false;
    }
  }
  // No Origin and no Referer (stripped by a privacy setting): the token in the body is the proof.
  return true;
}

function send(res: Response, p: LinkPage, action: string, token: string): void {
  res
    .status(p.kind === 'refused' ? p.status : 200)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    })
    .send(renderAckPage(p, action, token));
}

export function ackLinkRoutes(router: Router, links: () => AckLinks, publicUrl: string | undefined): void {
  // Express (with body-parser and the rest of its dependencies) is loaded here, when the running hub mounts
  // the routes, not when the safeguarding module loads: `send-hub import` wires that module and has no HTTP
  // server (issue 18, docs/imports.md "Memory"). The hub's server has loaded it already.
  const express = createRequire(import.meta.url)('express') as typeof import('express');
  const path = `${ACK_PATH}/:token`;
  router.get(path, async (req, res, next) => {
    try {
      const token = String(req.params.token ?? '');
      send(res, await links().open(token), req.originalUrl.split('?')[0] ?? ACK_PATH, token);
    } catch (err) {
      next(err);
    }
  });
  router.post(path, express.urlencoded({ extended: false, limit: '4kb' }), async (req, res, next) => {
    try {
      const token = String(req.params.token ?? '');
      const body = (req.body ?? {}) as Record<string, unknown>;
      // The form repeats the token: a body that names another token is not this page's form.
      const same = sameSite(req, publicUrl) && (body.token === undefined || body.token === token);
      send(res, await links().acknowledge(token, same), req.originalUrl.split('?')[0] ?? ACK_PATH, token);
    } catch (err) {
      next(err);
    }
  });
}
