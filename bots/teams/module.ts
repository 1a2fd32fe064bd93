/**
 * The Teams feature module. When MicrosoftAppId (and the rest of the Teams section) is configured it adds
 * the Teams channel to the hub (the router prefers Teams for anyone with a Teams identity) and mounts
 * POST /api/messages: every request is authenticated exactly as botbuilder does it (Bot Framework JWT:
 * issuer, audience = the app id, signing keys from the OpenID metadata, cached) before anything else
 * happens; anything unauthenticated gets 401 and no side effect. A token that cannot be valid whatever
 * Microsoft's keys say (token-precheck.ts) is refused before the keys are needed, so an outage at
 * Microsoft turns only well-formed tokens into 503 "cannot verify now".
 */
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';
import express from 'express';
import { readTeamsConfig, type TeamsConfig } from '../../app/config/teams.ts';
import type { Hub } from '../../app/container.ts';
import type { FeatureModule } from '../../app/module.ts';
import { TeamsRepository } from '../../store/teams-repository.ts';
import { TeamsHealth } from './health.ts';
import { TeamsBot } from './teams-bot.ts';
import { TeamsChannel } from './teams-channel.ts';
import { precheckBotToken } from './token-precheck.ts';

/** CloudAdapter with the authenticated-turn entry point made public (we authenticate first, ourselves). */
class HubCloudAdapter extends CloudAdapter {
  runAuthenticated(
    auth: AuthenticateRequestResult,
    activity: Activity,
    logic: (ctx: TurnContext) => Promise<void>,
  ) {
    return this.processActivity(auth, activity, logic);
  }
}

export interface TeamsRuntime {
  config: TeamsConfig;
  auth: ConfigurationBotFrameworkAuthentication;
  adapter: HubCloudAdapter;
  bot: TeamsBot;
  channel: TeamsChannel;
  health: TeamsHealth;
  repo: TeamsRepository;
}

/** Is this an outage (metadata or keys unreachable) rather than a bad token? */
function isOutage(err: unknown): boolean {
  const e = (err ?? {}) as { statusCode?: number; name?: string; code?: string; message?: string };
  if (e.statusCode === 500) return true;
  if (e.name === 'FetchError' || e.name === 'AbortError') return true;
  return /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|Failed to load/i.test(
    `${e.code ?? ''} ${e.message ?? ''}`,
  );
}

export function teamsModule(): FeatureModule & { runtime(): TeamsRuntime | undefined } {
  let rt: TeamsRuntime | undefined;
  return {
    name: 'teams',
    runtime: () => rt,

    setup(hub: Hub) {
      const config = readTeamsConfig(hub.config.raw);
      if (!config) return;
      const options: ConfigurationBotFrameworkAuthenticationOptions = {
        MicrosoftAppId: config.appId,
        MicrosoftAppType: config.appType,
        ...(config.appPassword ? { MicrosoftAppPassword: config.appPassword } : {}),
        ...(config.tenantId ? { MicrosoftAppTenantId: config.tenantId } : {}),
      };
      const auth = new ConfigurationBotFrameworkAuthentication(options);
      const adapter = new HubCloudAdapter(auth);
      const repo = new TeamsRepository(hub.dbh.db);
      const health = new TeamsHealth(config.appType, () => hub.clock.now());
      const bot = new TeamsBot(hub, repo);
      adapter.onTurnError = async (ctx, err) => {
        hub.log.error(
          { err: { name: err.name, message: err.message.slice(0, 300) }, type: ctx.activity.type },
          'teams turn failed',
        );
        if (ctx.activity.type === 'message')
          await ctx
            .sendActivity('Sorry, something went wrong on our side. Please try again in a minute.')
            .catch(() => {});
        throw err;
      };
      const channel = new TeamsChannel({
        adapter,
        appId: config.appId,
        health,
        rememberPersonal: (staffId, tenantId, userId, ref) =>
          hub.staff.linkIdentity(staffId, 'TEAMS', tenantId, userId, ref),
      });
      hub.channels.push(channel);
      hub.services.set('teams', { repo, health });
      rt = { config, auth, adapter, bot, channel, health, repo };
    },

    routes(router, hub) {
      if (!rt) return;
      const { auth, adapter, bot, health } = rt;
      router.post(
        '/api/messages',
        // No token that could be valid, no parsing and no key fetch: a token that fails what can be
        // checked without Microsoft's keys is refused at once, also while the keys are unreachable.
        (req, res, next) => {
          const pre = precheckBotToken(req.headers.authorization, rt?.config.appId ?? '', Date.now());
          if (!pre.ok) {
            hub.log.warn({ reason: pre.reason, ip: req.ip }, 'teams: rejected an unauthenticated request');
            res.status(401).json({ error: 'unauthorized' });
            return;
          }
          next();
        },
        express.json({ limit: hub.config.env.MAX_BODY_BYTES }),
        async (req, res) => {
          const activity = req.body as Activity;
          if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') {
            res.status(400).json({ error: 'not an activity' });
            return;
          }
          let authResult: AuthenticateRequestResult;
          try {
            authResult = await auth.authenticateRequest(activity, req.headers.authorization ?? '');
          } catch (err) {
            if (isOutage(err)) {
              health.metadataFailed(err instanceof Error ? err.message : String(err));
              hub.log.warn(
                { reason: (err as Error).message?.slice(0, 200) },
                'teams: cannot verify tokens now',
              );
              res.setHeader('Retry-After', '30');
              res.status(503).json({ error: 'cannot verify the token now' });
              return;
            }
            hub.log.warn(
              { reason: (err as Error).message?.slice(0, 200), ip: req.ip },
              'teams: rejected an unauthenticated request',
            );
            res.status(401).json({ error: 'unauthorized' });
            return;
          }
          try {
            const invoke = await adapter.runAuthenticated(authResult, activity, (ctx) => bot.run(ctx));
            if (invoke?.body !== undefined) res.status(invoke.status ?? 200).json(invoke.body);
            else res.status(invoke?.status ?? 200).end();
          } catch {
            if (!res.headersSent) res.status(500).json({ error: 'internal error' });
          }
        },
      );
    },

    async start() {
      rt?.health.start();
    },

    async stop() {
      rt?.health.stop();
    },

    async health() {
      if (!rt) return { ok: true, enabled: false };
      return { enabled: true, ...(await rt.health.report()) };
    },
  };
}
