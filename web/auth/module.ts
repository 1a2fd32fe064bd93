/**
 * Web sign-in (issue 17). `webAuthModule` checks the configuration when the hub is built (a half-configured
 * method stops the hub with a line naming the variable); `mountWebAuth` (called by web/web-module.ts on the
 * web pages' router) mounts /auth/entra/*, /auth/slack/*, /tab and /tab/session and adds a button to /sign-in
 * for each configured method.
 */
import type { Router } from 'express';
import { readWebAuthConfig, type WebAuthConfig } from '../../app/config/web-auth.ts';
import type { Hub } from '../../app/container.ts';
import type { FeatureModule } from '../../app/module.ts';
import type { WebKit } from '../kit.ts';
import { startSession } from '../session.ts';
import { webAuthRoutes } from './routes.ts';

const configs = new WeakMap<Hub, WebAuthConfig>();

export function webAuthConfig(hub: Hub): WebAuthConfig {
  let cfg = configs.get(hub);
  if (!cfg) {
    cfg = readWebAuthConfig(hub.config.raw, hub.config.production);
    configs.set(hub, cfg);
  }
  return cfg;
}

export function mountWebAuth(web: Router, hub: Hub, kit: WebKit): void {
  const cfg = webAuthConfig(hub);
  for (const p of [cfg.entra, cfg.slack]) {
    if (p) kit.signInMethods.push({ id: p.id, label: p.label, href: `/auth/${p.id}/start` });
  }
  webAuthRoutes(web, hub, cfg, () => startSession);
}

export function webAuthModule(): FeatureModule {
  return {
    name: 'web-auth',
    setup(hub) {
      const cfg = webAuthConfig(hub);
      hub.log.info(
        { entra: cfg.entra !== null, slack: cfg.slack !== null, teamsTab: cfg.teamsSso !== null },
        'web sign-in methods',
      );
    },
  };
}
