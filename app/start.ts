/**
 * `send-hub start` (`npm start`): migrate, wire, load the demo school on an empty database, serve HTTP,
 * run the scheduler and the delivery loop, and the console channel. SIGTERM/SIGINT stop it gracefully:
 * no new claims, claims not yet sent given back, sends in flight finish (bounded), then the database closes.
 */
import type { Readable, Writable } from 'node:stream';
import { ConsoleChannel } from '../bots/console/console-channel.ts';
import type { ChannelPort, Clock } from '../core/ports.ts';
import { reconcileDeadHolders } from '../scheduler/reconcile.ts';
import { coordinateReplicas } from '../scheduler/replicas.ts';
import { LeaseRepository } from '../store/lease-repository.ts';
import { demoSignInLine } from '../web/sign-in-link.ts';
import type { Config } from './config/index.ts';
import { createHub, defaultJournal, type Hub } from './container.ts';
import { checkpointAudit } from './data-protection/audit-chain.ts';
import { ensureDataDir, prepareDatabase } from './database.ts';
import { loadDemoSchool } from './demo/demo-school.ts';
import { type Logger, nameScrubber } from './logger.ts';
import type { FeatureModule } from './module.ts';
import { defaultModules } from './modules.ts';
import { createApp, listen, type RunningServer } from './server.ts';

export interface StartOptions {
  clock?: Clock;
  stdin?: Readable;
  stdout?: Writable;
  modules?: FeatureModule[];
  extraChannels?: ChannelPort[];
  /** Do not start node-cron / the delivery timer (tests drive ticks). */
  manualTicks?: boolean;
  installSignalHandlers?: boolean;
  /** The log file (terminal mode, app/terminal-log.ts): said once at start. */
  logFile?: string;
}

export interface RunningHub {
  hub: Hub;
  server: RunningServer;
  console: ConsoleChannel | undefined;
  stop(): Promise<void>;
}

export function consoleEnabled(config: Config): boolean {
  return config.env.CONSOLE_CHANNEL === 'on' || (config.env.CONSOLE_CHANNEL === 'auto' && !config.production);
}

/** Keep the log scrubber aware of every student name in the database. */
export async function registerStudentNames(hub: Hub): Promise<void> {
  const rows = await hub.dbh.db.student.findMany({ select: { givenName: true, familyName: true } });
  nameScrubber.add(rows.flatMap((r) => [r.givenName, r.familyName]));
}

/** How long a stop waits for sends in flight: the grace (SHUTDOWN_GRACE_MS) less 3 s, at least half of it. */
export function deliveryStopWaitMs(config: Config): number {
  const grace = config.env.SHUTDOWN_GRACE_MS;
  return Math.max(grace - 3_000, grace / 2);
}

export async function startHub(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningHub> {
  const out = options.stdout ?? process.stdout;
  if (options.logFile) out.write(`Log lines go to ${options.logFile}; warnings and errors also show here.\n`);
  ensureDataDir(config.dataDir);
  const applied = await prepareDatabase(config, { migrator: 'hub', say: (line) => out.write(`${line}\n`) });
  if (applied.length) log.info({ applied }, 'database migrated');
  const consoleChannel = consoleEnabled(config) ? new ConsoleChannel(out, defaultJournal(config)) : undefined;
  const hub = await createHub(config, log, {
    ...(options.clock ? { clock: options.clock } : {}),
    channels: [...(options.extraChannels ?? []), ...(consoleChannel ? [consoleChannel] : [])],
    modules: options.modules ?? defaultModules(),
  });
  // One process per SQLite file; one scheduler among PostgreSQL replicas (docs/scaling.md).
  const replicas = await coordinateReplicas(hub).catch(async (err) => {
    await hub.dbh.close();
    throw err;
  });
  // A process on this host that died (kill -9) left claims and leases: take them back now, not in a minute.
  const reclaimed = await reconcileDeadHolders(hub.outbox, new LeaseRepository(hub.dbh.db, hub.clock));
  if (reclaimed.messages || reclaimed.leases)
    log.info(reclaimed, 'took back the claims of a process that stopped on this host');
  if (hub.keyGeneratedAt) {
    out.write(
      `Generated an encryption key for this data folder at ${hub.keyGeneratedAt}. Keep it safe: without it, notes and concerns cannot be read.\n`,
    );
  }
  const wantDemo = config.env.DEMO === 'on' || (config.env.DEMO === 'auto' && !config.production);
  const noOrganisation = (await hub.orgs.count()) === 0;
  if (wantDemo && noOrganisation) {
    await loadDemoSchool(hub.dbh.db, hub.clock.now());
    out.write(
      `Loaded the demo school (fictional staff and students). A reminder will appear here within a minute${config.env.SEND_HUB_ENV === 'development' && consoleChannel ? '; the guided tour below says what happens next' : ''}.\n`,
    );
  } else if (noOrganisation) {
    // A real installation before its first organisation: say what to do, rather than run silently empty.
    out.write(
      'No organisation yet: nobody can be reminded or sign in. Create yours with `send-hub org create --kind school|la --name ... --urn ...|--la-code ... --admin <email>` (README, "Setting up your school or local authority").\n',
    );
  }
  await registerStudentNames(hub);
  for (const m of hub.modules) await m.start?.(hub);
  const server = await listen(createApp(hub), config.env.PORT, config.env.HOST);
  if (!options.manualTicks) {
    hub.scheduler.start(config.env.TICK_CRON, config.env.TIME_ZONE);
    hub.deliverer.start(config.env.DELIVERY_INTERVAL_MS);
    void hub.scheduler.tick();
  }
  if (consoleChannel) {
    const admin = async () => {
      const org = (await hub.orgs.all())[0];
      if (!org) return null;
      const admins = await hub.staff.withRole(org.id, 'ADMIN');
      return admins[0] ? hub.staff.actorForStaff(admins[0].id) : null;
    };
    consoleChannel.attach({
      action: (a) => hub.actions.dispatch(a),
      command: (text, actor) => hub.commands.run(text, actor, 'CONSOLE'),
      form: (actor, submission) => hub.forms.submit(actor, submission, 'CONSOLE'),
      check: (actor, formId, field, values, context) =>
        hub.forms.check(formId, actor, field, values, 'CONSOLE', context),
      actorForStaff: (id) => hub.staff.actorForStaff(id),
      actorForEmail: async (email) => {
        const s = await hub.staff.byEmail(email);
        return s ? hub.staff.actorForStaff(s.id) : null;
      },
      defaultActor: admin,
    });
    consoleChannel.listen(options.stdin ?? process.stdin);
  }
  const channelsHint = hub.channels.map((c) => c.platform.toLowerCase()).join(', ');
  out.write(
    `SEND Hub listening on http://localhost:${server.port} (channels: ${channelsHint || 'none'}). ` +
      (hub.channels.some((c) => c.platform !== 'CONSOLE')
        ? 'Type `help` for commands.\n'
        : 'To connect Teams set MicrosoftAppId/MicrosoftAppPassword; for Slack set SLACK_BOT_TOKEN/SLACK_SIGNING_SECRET (see README). Type `help` for commands.\n'),
  );
  log.info(
    { port: server.port, channels: hub.channels.map((c) => c.platform), provider: hub.dbh.provider },
    'send-hub started',
  );
  // The web pages (issue 17): in development, a one-time sign-in link for the demo admin.
  if (config.env.SEND_HUB_ENV === 'development' && hub.modules.some((m) => m.name === 'web')) {
    const line = await demoSignInLine(hub, server.port).catch((err: unknown) => {
      log.warn({ err: err instanceof Error ? err.name : 'unknown' }, 'no web sign-in link for the demo');
      return null;
    });
    if (line) out.write(line);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info({}, 'shutting down: finishing in-flight deliveries');
      consoleChannel?.close();
      // Claims not yet sent go back at once; sends in flight are waited for, inside the grace with room
      // left for the rest of the stop (scheduler/delivery-stop.ts, docs/scaling.md "Stopping and restarting").
      await Promise.all([hub.scheduler.stop(), hub.deliverer.stop(deliveryStopWaitMs(config))]);
      for (const m of [...hub.modules].reverse()) await m.stop?.(hub);
      await server.close();
      await checkpointAudit(hub).catch((err: unknown) =>
        log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'audit checkpoint at shutdown failed',
        ),
      );
      await replicas.release();
      await hub.dbh.close();
      log.info({}, 'stopped');
    })();
    return stopping;
  };
  if (options.installSignalHandlers) {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'signal received');
      const timer = setTimeout(() => process.exit(1), config.env.SHUTDOWN_GRACE_MS).unref();
      void stop().then(() => {
        clearTimeout(timer);
        process.exit(0);
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { hub, server, console: consoleChannel, stop };
}
