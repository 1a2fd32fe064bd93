/**
 * The sign-in pages a person sees before they have a session: a refusal or an explanation (message.njk) and
 * the Teams tab's sign-in page (tab.njk), drawn in the hub's layout (the strict Content-Security-Policy,
 * no-store, nosniff, same-origin referrer; framable only by Teams' hosts).
 */
import type { Response } from 'express';
import type { Hub } from '../../app/container.ts';
import { layoutVars, renderPublic } from '../kit.ts';
import { renderTemplate } from '../render.ts';
import { setWebSecurityHeaders, webCsp } from '../security-headers.ts';

export interface AuthPage {
  title: string;
  lines: string[];
  link?: { href: string; text: string };
}

/**
 * teams-js checks the frame's parent against Microsoft's list of Teams hosts, fetched from this address (with
 * a list built in as the fallback): the tab page may connect there, and nowhere else outside the hub.
 */
export const TEAMS_VALID_DOMAINS_HOST = 'https://res.cdn.office.net';

export function sendAuthPage(res: Response, hub: Hub, status: number, page: AuthPage): void {
  renderPublic(res, hub, 'auth/message.njk', { ...page, errorTitle: status >= 400 }, status);
}

export function sendTabPage(res: Response, hub: Hub): void {
  setWebSecurityHeaders(res, { framable: true });
  res.set(
    'Content-Security-Policy',
    webCsp({ framable: true }).replace(
      "connect-src 'self'",
      `connect-src 'self' ${TEAMS_VALID_DOMAINS_HOST}`,
    ),
  );
  const html = renderTemplate('auth/tab.njk', {
    title: 'SEND Hub',
    csrfToken: '',
    layout: layoutVars(hub, {}),
  });
  res.status(200).type('html').send(html);
}
