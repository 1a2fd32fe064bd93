/**
 * The sign-in pages a person sees before they have a session: a refusal or an explanation (message.njk) and
 * the Teams tab's sign-in page (tab.njk), drawn in the hub's layout by the kit's renderPublic (the strict
 * Content-Security-Policy, no-store, nosniff, same-origin referrer; framable only by Teams' hosts).
 */
import type { Response } from 'express';
import type { Hub } from '../../app/container.ts';
import { renderPublic } from '../kit.ts';

export interface AuthPage {
  title: string;
  lines: string[];
  link?: { href: string; text: string };
}

export function sendAuthPage(res: Response, hub: Hub, status: number, page: AuthPage): void {
  renderPublic(res, hub, 'auth/message.njk', { ...page, errorTitle: status >= 400 }, status);
}

export function sendTabPage(res: Response, hub: Hub): void {
  renderPublic(res, hub, 'auth/tab.njk', { title: 'SEND Hub' });
}
