/**
 * The composition root: builds every adapter once and wires it to the core (habit 1: dependencies point
 * inward). Nothing else constructs repositories or channels.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ActionRegistry } from '../core/actions/action-registry.ts';
import { type HolidaySet, noHolidays } from '../core/calendar/working-days.ts';
import { CommandRegistry } from '../core/commands/command-registry.ts';
import { EventBus } from '../core/events/event-bus.ts';
import { FormRegistry } from '../core/forms/form-registry.ts';
import type { ChannelPort, Clock } from '../core/ports.ts';
import { answerReminderHandler } from '../core/reminders/answer-reminder.ts';
import { parseLeadTime, planMeetingReminders } from '../core/reminders/plan-meeting-reminders.ts';
import { quietHoursRelease } from '../core/reminders/quiet-hours.ts';
import { ChannelRouter } from '../scheduler/channel-router.ts';
import { Deliverer } from '../scheduler/deliver.ts';
import { MemoryRateLimiter } from '../scheduler/memory-rate-limiter.ts';
import { type Planner, Scheduler } from '../scheduler/tick.ts';
import type { AuditAnchors } from '../store/audit-anchors.ts';
import { AuditRepository } from '../store/audit-repository.ts';
import { FieldCipher } from '../store/crypto/field-cipher.ts';
import { createDb, type DbHandle } from '../store/db.ts';
import { MeetingRepository } from '../store/meeting-repository.ts';
import { type OrgDto, OrgRepository } from '../store/org-repository.ts';
import { withDeliveryPool } from '../store/outbox-pool.ts';
import { OutboxRepository } from '../store/outbox-repository.ts';
import { RateLimitRepository } from '../store/rate-limit-repository.ts';
import { ReminderRepository } from '../store/reminder-repository.ts';
import { StaffRepository } from '../store/staff-repository.ts';
import { configuredClock } from './clock.ts';
import { dueCommand } from './commands/due-command.ts';
import { settingsCommand } from './commands/settings-command.ts';
import type { Config } from './config/index.ts';
import { auditAnchorPlanner, auditAnchors, auditKeySource } from './data-protection/audit-chain.ts';
import { resolveKeyRing } from './encryption-key.ts';
import type { Logger } from './logger.ts';
import type { FeatureModule } from './module.ts';

export interface HubOptions {
  clock?: Clock;
  /** Channels wired by the caller (the console, a test channel). Modules may add more in setup. */
  channels?: ChannelPort[];
  modules?: FeatureModule[];
  workerId?: string;
  /**
   * False for a process that writes to the outbox but never sends it (`send-hub import`, the CLI): it has
   * no chat channel loaded, so it must not judge who can be reached; the running hub does, as it sends.
   */
  delivers?: boolean;
  /** Calendar of bank holidays; modules (the deadline engine) may replace it in setup. */
  holidays?: HolidaySet;
  /**
   * SQLite: the hub connection's page cache in KiB, when not the driver's 16 MB (`send-hub import`: its
   * statements are few, and a bigger cache only holds what one of them read; store/db.ts).
   */
  sqliteCacheKb?: number;
}

export interface Hub {
  config: Config;
  log: Logger;
  clock: Clock;
  dbh: DbHandle;
  cipher: FieldCipher;
  keyGeneratedAt: string | undefined;
  audit: AuditRepository;
  /** Checkpoints of the audit chain outside the database. */
  auditAnchors: AuditAnchors;
  outbox: OutboxRepository;
  reminders: ReminderRepository;
  staff: StaffRepository;
  orgs: OrgRepository;
  meetings: MeetingRepository;
  actions: ActionRegistry;
  commands: CommandRegistry;
  forms: FormRegistry;
  channels: ChannelPort[];
  router: ChannelRouter;
  holidays: HolidaySet;
  planners: Planner[];
  scheduler: Scheduler;
  deliverer: Deliverer;
  modules: FeatureModule[];
  workerId: string;
  /** This process sends the outbox (the hub); false in `send-hub import` and the CLI (HubOptions.delivers). */
  delivers: boolean;
  /** Quiet-hours gate for an organisation's non-urgent messages. */
  notBefore(orgId: string, at: Date): Date;
  /** Services a module exposes to others (e.g. "concerns"), by name. */
  services: Map<string, unknown>;
  events: EventBus;
}

/**
 * Channel priority: a person with a Teams identity hears through Teams, else Slack, else the console. E-mail
 * and SMS come last and carry only messages pinned to them (EnqueueRequest.via).
 */
const CHANNEL_ORDER = ['TEAMS', 'SLACK', 'CONSOLE', 'EMAIL', 'SMS'];

export async function createHub(config: Config, log: Logger, options: HubOptions = {}): Promise<Hub> {
  const clock = options.clock ?? configuredClock(config);
  // PostgreSQL: the delivery loop gets its own small pool (a burst of writers cannot starve it).
  const { dbh, deliveryDb } = withDeliveryPool(
    createDb(config.databaseUrl, { sqliteCacheKb: options.sqliteCacheKb }),
  );
  const { ring, generatedAt } = resolveKeyRing(config.env.SEND_HUB_ENCRYPTION_KEY, config.dataDir);
  const cipher = new FieldCipher(ring);
  const auditKeys = auditKeySource(config, dbh.db, cipher);
  const audit = new AuditRepository(dbh.db, dbh.provider, clock, auditKeys);
  // Resolve the audit key now, outside any transaction: made lazily inside one (PostgreSQL appends hold
  // an advisory lock), its read would need a second pooled connection while a burst holds them all.
  await auditKeys.current().catch(() => undefined);
  const outbox = new OutboxRepository(dbh.db, cipher, clock, dbh.provider, deliveryDb);
  const reminders = new ReminderRepository(dbh.db, outbox, clock);
  const staff = new StaffRepository(dbh.db);
  const orgs = new OrgRepository(dbh.db);
  const meetings = new MeetingRepository(dbh.db);
  const actions = new ActionRegistry(audit);
  const commands = new CommandRegistry(audit);
  const forms = new FormRegistry();
  const channels: ChannelPort[] = [...(options.channels ?? [])];
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const modules = options.modules ?? [];

  const orgCache = new Map<string, OrgDto>();
  const hub: Hub = {
    config,
    log,
    clock,
    dbh,
    cipher,
    keyGeneratedAt: generatedAt,
    audit,
    auditAnchors: auditAnchors(config, auditKeys),
    outbox,
    reminders,
    staff,
    orgs,
    meetings,
    actions,
    commands,
    forms,
    channels,
    router: new ChannelRouter([]),
    holidays: options.holidays ?? noHolidays,
    planners: [],
    scheduler: undefined as unknown as Scheduler,
    deliverer: undefined as unknown as Deliverer,
    modules,
    workerId,
    delivers: options.delivers ?? true,
    notBefore(orgId, at) {
      const org = orgCache.get(orgId);
      if (!org) return at;
      return quietHoursRelease(at, { from: org.quietFrom, until: org.quietUntil, zone: org.timeZone });
    },
    services: new Map(),
    events: new EventBus(),
  };

  actions.on('done', 'reminder', answerReminderHandler(reminders, audit, clock, config.env.TIME_ZONE));
  actions.on('snooze', 'reminder', answerReminderHandler(reminders, audit, clock, config.env.TIME_ZONE));

  for (const m of modules) await m.setup?.(hub);
  // Foundation commands, unless a module brought its own (the deadline engine's `due` shows deadlines too).
  for (const command of [dueCommand(hub), settingsCommand(hub)]) {
    if (!commands.list().some((c) => c.name === command.name)) commands.register(command);
  }

  channels.sort((a, b) => CHANNEL_ORDER.indexOf(a.platform) - CHANNEL_ORDER.indexOf(b.platform));
  hub.router = new ChannelRouter(channels);

  const leadTimes = config.env.MEETING_LEAD_TIMES.split(',').map(parseLeadTime);
  const refreshOrgs: Planner = {
    name: 'organisations',
    async run() {
      for (const o of await orgs.all()) orgCache.set(o.id, o);
      return { organisations: orgCache.size };
    },
  };
  const meetingReminders: Planner = {
    name: 'meeting-reminders',
    async run(now) {
      const horizon = new Date(now.getTime() + config.env.PLANNING_HORIZON_DAYS * 86_400_000);
      const ms = await meetings.forReminders(new Date(now.getTime() - 86_400_000), horizon);
      const specs = planMeetingReminders(ms, now, {
        leadTimes,
        zone: config.env.TIME_ZONE,
        holidays: hub.holidays,
      });
      const r = await reminders.reconcile(
        ms.map((m) => ({ type: 'meeting', id: m.id })),
        specs,
        ['meeting_reminder'],
      );
      return { meetings: ms.length, ...r };
    },
  };
  const dueReminders: Planner = {
    name: 'due-reminders',
    async run() {
      return { planned: await reminders.planDue(2000, (orgId, at) => hub.notBefore(orgId, at)) };
    },
  };
  const modulePlanners = modules.flatMap((m) => m.planners?.(hub) ?? []);
  hub.planners = [
    refreshOrgs,
    // The meetings module (issue 8) brings its own, richer 'meeting-reminders' planner; this is the fallback.
    ...(modulePlanners.some((p) => p.name === meetingReminders.name) ? [] : [meetingReminders]),
    ...modulePlanners,
    dueReminders,
    auditAnchorPlanner(hub),
  ];
  hub.scheduler = new Scheduler(hub.planners, clock, log);
  hub.deliverer = new Deliverer(outbox, staff, hub.router, orgs, clock, log, {
    workerId,
    // SQLite is one process (a second is refused): its limiter lives in memory, exact and free of I/O.
    // PostgreSQL replicas share theirs through the database.
    rateLimiter:
      dbh.provider === 'sqlite'
        ? new MemoryRateLimiter(clock)
        : new RateLimitRepository(dbh.db, clock, dbh.provider),
    onUnreachable: async (m) => {
      log.warn({ messageId: m.id, recipientId: m.recipientId }, 'no channel reaches this member of staff');
      await audit.record({
        orgId: m.orgId,
        actorKind: 'system',
        action: 'delivery.unreachable',
        subjectType: 'outbox',
        subjectId: m.id,
        channel: 'SYSTEM',
        details: { recipientId: m.recipientId, kind: m.message.kind },
      });
    },
  });
  // A concern's DSL message is committed before this event: send it now, not at the next poll.
  hub.events.on('concern.raised', () => hub.deliverer.wake());
  for (const m of hub.modules) m.wire?.(hub);
  return hub;
}

export const defaultJournal = (config: Config) => path.join(config.dataDir, 'console-journal.log');
