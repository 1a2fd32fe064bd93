/**
 * The Slack feature module. When Slack is configured it adds the Slack ChannelPort, serves
 * POST /slack/events on the hub's server (or connects with Socket Mode when SLACK_APP_TOKEN is set),
 * offers OAuth installation for many workspaces, links staff by email, and reports its health.
 * Slack being down never stops the hub: the token is checked in the background.
 */
import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import { readSlackConfig, type SlackConfig } from '../../app/config/slack.ts';
import type { Hub } from '../../app/container.ts';
import type { Logger } from '../../app/logger.ts';
import type { FeatureModule } from '../../app/module.ts';
import { SlackEventReceiptRepository } from '../../store/slack-event-receipt-repository.ts';
import { SlackInstallationStore } from '../../store/slack-installation-store.ts';
import { openSideWriter } from '../../store/sqlite-side-writer.ts';
import { ChannelLanes } from './channel-lanes.ts';
import { EventDedupe } from './event-dedupe.ts';
import { HubReceiver } from './hub-receiver.ts';
import { type LinkReport, StaffLinker } from './link-staff.ts';
import { BOT_SCOPES } from './scopes.ts';
import { SlackApi } from './slack-api.ts';
import { SlackChannel } from './slack-channel.ts';
import { registerListeners } from './slack-listeners.ts';
import { mountSlackRoutes, type SlackRouteDeps, slackFront } from './slack-routes.ts';
import { checkSlackTokens, type TokenCheck, tokenCheckLines } from './token-check.ts';
import { TokenMonitor } from './token-monitor.ts';
import { WorkGate } from './work-gate.ts';

/** After-ack jobs run at most this many at a time (each is mostly waiting on the DB or Slack). */
const AFTER_ACK_CONCURRENCY = 2;
/**
 * SQLite: how long receipts are gathered before one write (was 5 s while each write's commit held the
 * event loop; off it now, so a shorter window, and fewer receipts lost if the process is killed).
 */
const SINGLE_BATCH_MS = 500;

export interface SlackModuleOptions {
  /** Spacing of posts to one channel (Slack: about 1 per second per channel). */
  minIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  slackApiUrl?: string;
}

/** What the module exposes under hub.services.get('slack'). */
export interface SlackService {
  config: SlackConfig;
  channel: SlackChannel;
  linker: StaffLinker;
  installations: SlackInstallationStore;
  monitor: TokenMonitor | undefined;
  /** Resolves when every request's after-ack work has finished. */
  idle(): Promise<void>;
  /** Link every member of the configured / installed workspaces by email. */
  linkAll(): Promise<LinkReport[]>;
  /** One auth.test per bot token now, no retry, no linking (`send-hub slack check`). */
  checkTokens(): Promise<TokenCheck[]>;
}

/** Bolt logs through the hub logger; payloads are never logged (they can hold children's data). */
function boltLogger(log: Logger): BoltLogger {
  const cut = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m.slice(0, 300) : '[object]')).join(' ');
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => log.warn({ src: 'bolt' }, cut(msg)),
    error: (...msg: unknown[]) => log.error({ src: 'bolt' }, cut(msg)),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}

export function slackModule(options: SlackModuleOptions = {}): FeatureModule {
  let svc: SlackService | undefined;
  let receiver: HubReceiver | undefined;
  let socketApp: App | undefined;
  let socketTimer: NodeJS.Timeout | undefined;
  let oauth: InstallProvider | undefined;
  let gate: WorkGate | undefined;
  let dedupe: EventDedupe | undefined;
  let sideWriter: ReturnType<typeof openSideWriter> | undefined;
  const inFlight = new Set<Promise<void>>();
  const socketState: { connected: boolean; lastError?: string } = { connected: false };

  /** What /slack/events needs (HTTP mode with a signing secret), or nothing to mount. */
  const routeDeps = (hub: Hub): SlackRouteDeps | undefined =>
    svc && receiver && dedupe && gate && svc.config.signingSecret
      ? {
          hub,
          signingSecret: svc.config.signingSecret,
          receiver,
          dedupe,
          gate,
          track(work) {
            inFlight.add(work);
            void work.finally(() => inFlight.delete(work));
          },
        }
      : undefined;

  return {
    name: 'slack',

    setup(hub: Hub) {
      const config = readSlackConfig(hub.config.raw);
      if (!config) return;
      const installations = new SlackInstallationStore(hub.dbh.db, hub.cipher, config.orgId);
      const api = new SlackApi({
        ...(config.botToken ? { botToken: config.botToken } : {}),
        installations,
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      });
      const lanes = new ChannelLanes({
        minIntervalMs: options.minIntervalMs ?? 1_000,
        now: () => hub.clock.now().getTime(),
        sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      });
      const channel = new SlackChannel(api, lanes);
      hub.channels.push(channel);
      const linker = new StaffLinker(hub, api, installations, config.orgId);
      const monitor = config.botToken
        ? new TokenMonitor(api.client(config.botToken), hub.log, async (teamId, botUserId, botId) => {
            api.rememberBot(botUserId, botId);
            await linker.linkWorkspace(teamId).catch((err: unknown) => {
              hub.log.warn({ err: String(err) }, 'slack: staff link sweep failed');
            });
          })
        : undefined;

      const appOptions = {
        authorize: async (source: {
          teamId?: string;
          enterpriseId?: string;
          isEnterpriseInstall?: boolean;
        }) => {
          const auth = await api.authFor(
            source.teamId,
            source.enterpriseId,
            source.isEnterpriseInstall ?? false,
          );
          return {
            botToken: auth.token,
            ...(auth.botUserId ? { botUserId: auth.botUserId } : {}),
            ...(auth.botId ? { botId: auth.botId } : {}),
            ...(source.teamId ? { teamId: source.teamId } : {}),
            ...(source.enterpriseId ? { enterpriseId: source.enterpriseId } : {}),
          };
        },
        logger: boltLogger(hub.log),
        // No conversation store: the hub keeps no per-conversation state in Bolt.
        convoStore: false as const,
        clientOptions: {
          rejectRateLimitedCalls: true,
          retryConfig: { retries: 0 },
          timeout: 10_000,
          ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        },
      };
      const workGate = new WorkGate({ max: AFTER_ACK_CONCURRENCY });
      gate = workGate;
      // PostgreSQL: replicas share the database, so each event is claimed there before it is processed.
      // SQLite: one process per file, so the receipt is only recorded (for restarts), in batches committed
      // on the side writer's thread (store/sqlite-side-writer.ts): SQLite's wait for the disk never holds
      // the event loop that acknowledges requests.
      const single = hub.dbh.provider === 'sqlite';
      sideWriter = single ? openSideWriter(hub.dbh.url) : undefined;
      const eventDedupe = new EventDedupe({
        receipts: new SlackEventReceiptRepository(hub.dbh.db, sideWriter?.writer),
        mode: single ? 'single' : 'shared',
        batchMs: single ? SINGLE_BATCH_MS : 20,
        now: () => hub.clock.now().getTime(),
        beforeWrite: () => workGate.whenQuiet(),
        onStoreError: (err) =>
          hub.log.warn(
            { err: err instanceof Error ? err.message.slice(0, 200) : String(err) },
            'slack: could not record event receipts in the database; processing the events anyway',
          ),
      });
      dedupe = eventDedupe;
      let app: App;
      if (config.mode === 'socket') {
        app = new App({ ...appOptions, socketMode: true, appToken: config.appToken as string });
        socketApp = app;
      } else {
        receiver = new HubReceiver();
        app = new App({ ...appOptions, receiver });
      }
      if (config.mode === 'socket') {
        // Socket Mode acknowledges the envelope before middleware runs; retries are recognised here.
        app.use(async ({ body, context, next }) => {
          const b = body as { type?: unknown; event_id?: unknown };
          if (b.type === 'event_callback' && typeof b.event_id === 'string') {
            if (!(await eventDedupe.claim(b.event_id, (context.retryNum ?? 0) > 0))) {
              hub.log.info({ eventId: b.event_id }, 'slack: duplicate delivery, not processed again');
              return;
            }
          }
          await next();
        });
      }
      registerListeners(app, {
        hub,
        linker,
        gate,
        onUninstalled: async (b) => {
          if (!b.team_id || config.botToken) return;
          await installations.deleteInstallation({
            teamId: b.team_id,
            enterpriseId: b.enterprise_id,
            isEnterpriseInstall: false,
          });
          api.forget(b.team_id);
          await hub.audit.record({
            actorKind: 'system',
            action: 'slack.uninstalled',
            subjectType: 'slack_workspace',
            subjectId: b.team_id,
            channel: 'SLACK',
          });
        },
      });
      if (config.oauth) {
        oauth = new InstallProvider({
          clientId: config.oauth.clientId,
          clientSecret: config.oauth.clientSecret,
          stateSecret: config.oauth.stateSecret,
          installationStore: installations,
          installUrlOptions: { scopes: [...BOT_SCOPES] },
          logger: boltLogger(hub.log),
        });
      }
      svc = {
        config,
        channel,
        linker,
        installations,
        monitor,
        async idle() {
          while (inFlight.size) await Promise.allSettled([...inFlight]);
        },
        async linkAll() {
          const teams = config.botToken
            ? [monitor?.state.teamId ?? (await api.client(config.botToken).auth.test()).team_id ?? '']
            : (await installations.teams()).map((t) => t.teamId).filter(Boolean);
          const out: LinkReport[] = [];
          for (const t of teams) out.push(await linker.linkWorkspace(t));
          return out;
        },
        checkTokens: () => checkSlackTokens(api, config.botToken, installations),
      };
      hub.services.set('slack', svc);
    },

    front(hub) {
      const deps = routeDeps(hub);
      return deps && slackFront(deps);
    },

    routes(router, hub) {
      if (!svc) return;
      const deps = routeDeps(hub);
      if (deps) mountSlackRoutes(router, deps);
      const provider = oauth;
      if (provider) {
        router.get('/slack/install', (req, res) => {
          void provider.handleInstallPath(req, res);
        });
        router.get('/slack/oauth_redirect', (req, res) => {
          void provider.handleCallback(req, res, {
            success: async (installation) => {
              await hub.audit.record({
                actorKind: 'admin-cli',
                action: 'slack.installed',
                subjectType: 'slack_workspace',
                subjectId: installation.team?.id ?? installation.enterprise?.id ?? 'unknown',
                channel: 'SLACK',
              });
              res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
              res.end('SEND Hub is installed in your Slack workspace. You can close this page.');
            },
          });
        });
      }
    },

    async start(hub) {
      if (!svc) return;
      svc.monitor?.start();
      const app = socketApp;
      if (app) {
        let attempt = 0;
        const connect = () => {
          attempt++;
          app.start().then(
            () => {
              socketState.connected = true;
              delete socketState.lastError;
              hub.log.info('slack: Socket Mode connected');
            },
            (err: unknown) => {
              socketState.lastError = err instanceof Error ? err.message.slice(0, 200) : String(err);
              const delay = Math.min(300_000, 2_000 * 2 ** Math.min(attempt, 8));
              hub.log.warn({ retryInMs: delay }, 'slack: Socket Mode connection failed; retrying');
              socketTimer = setTimeout(connect, delay);
              socketTimer.unref();
            },
          );
        };
        connect();
      }
    },

    async stop() {
      svc?.monitor?.stop();
      if (socketTimer) clearTimeout(socketTimer);
      if (socketApp && socketState.connected) await socketApp.stop().catch(() => undefined);
      await svc?.idle();
      await dedupe?.flush();
      await sideWriter?.release();
    },

    async health() {
      if (!svc) return { ok: true, enabled: false };
      const token = svc.monitor?.state;
      const installs = svc.config.botToken ? undefined : (await svc.installations.teams()).length;
      const ok =
        (token ? token.status === 'ok' : (installs ?? 0) > 0) &&
        (svc.config.mode === 'http' || socketState.connected);
      return {
        ok,
        enabled: true,
        mode: svc.config.mode,
        afterAckBacklog: gate?.backlog ?? 0,
        ...(token ? { token: { ...token } } : {}),
        ...(installs !== undefined ? { installations: installs } : {}),
        ...(svc.config.mode === 'socket' ? { socket: { ...socketState } } : {}),
      };
    },

    cli(program, open, close) {
      const slack = program.command('slack').description('Slack: link staff, check the token');
      slack
        .command('check')
        .description(
          "check the bot token with Slack now (auth.test): the workspace it works for, or Slack's error; exit 1 if it fails",
        )
        .action(async () => {
          const hub = await open();
          try {
            const s = hub.services.get('slack') as SlackService | undefined;
            if (!s) throw new Error('Slack is not configured (set SLACK_BOT_TOKEN or OAuth variables)');
            const r = tokenCheckLines(await s.checkTokens(), Boolean(s.config.botToken));
            for (const line of r.lines) console.log(line);
            if (!r.ok) process.exitCode = 1;
          } finally {
            await close(hub);
          }
        });
      slack
        .command('link')
        .description('link every Slack member to staff by profile email; report the unmatched to admins')
        .action(async () => {
          const hub = await open();
          try {
            const s = hub.services.get('slack') as SlackService | undefined;
            if (!s) throw new Error('Slack is not configured (set SLACK_BOT_TOKEN or OAuth variables)');
            for (const r of await s.linkAll()) {
              console.log(
                `workspace ${r.teamId}: ${r.linked} linked, ${r.alreadyLinked} already linked, ${r.unmatched.length} unmatched`,
              );
            }
          } finally {
            await close(hub);
          }
        });
    },
  };
}
