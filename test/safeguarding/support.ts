/** Shared set-up for the safeguarding tests: a fictional school, and a hub re-opened on the same database. */
import path from 'node:path';
import { loadConfig } from '../../app/config/index.ts';
import { createHub, type Hub } from '../../app/container.ts';
import { createLogger } from '../../app/logger.ts';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { ConsoleChannel } from '../../bots/console/console-channel.ts';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget, Platform } from '../../core/ports.ts';
import type { Role } from '../../core/staff/roles.ts';
import type { Db } from '../../store/db.ts';
import type { FakeClock } from '../support/clock.ts';
import { CaptureStream, capturedChannelText, capturedLogLines, type TestHub } from '../support/hub.ts';

/** Invented names and text the privacy test greps for. */
export const PUPIL = {
  givenName: 'Zephyrine',
  familyName: 'Quillborough',
  yearGroup: '8',
  upn: 'A123456789012',
};
export const PUPIL2 = { givenName: 'Barnaby', familyName: 'Wexcombe', yearGroup: '5', upn: 'B123456789012' };
export const CONCERN_TEXT = 'She said her stepdad locks her in the shed overnight with marigold bruises';
export const ACTIONS_TEXT = 'Stayed with her at lunch, told the pastoral marmalade lead';
/** The concern form as the teacher fills it in about PUPIL (what every channel's form submits). */
export const CONCERN_FORM = {
  student: 'Zephyrine Quillborough',
  category: 'Neglect',
  what: CONCERN_TEXT,
  when: '08:40',
  immediateRisk: 'no',
  actionsTaken: ACTIONS_TEXT,
};
export const SECRET_STRINGS = [
  PUPIL.givenName,
  PUPIL.familyName,
  PUPIL2.givenName,
  PUPIL2.familyName,
  'locks her in the shed',
  'marigold bruises',
  'pastoral marmalade',
];

export interface School {
  orgId: string;
  staff: Record<
    'teacher' | 'dsl' | 'deputy' | 'deputy2' | 'head' | 'admin' | 'behaviour' | 'keyworker',
    string
  >;
  pupil: string;
  pupil2: string;
}

export async function seedSchool(db: Db): Promise<School> {
  const org = await db.organisation.create({ data: { name: 'Quarrydene Academy' } });
  const mk = async (key: string, displayName: string, roles: Role[]) =>
    (
      await db.staff.create({
        data: {
          orgId: org.id,
          displayName,
          email: `${key}@quarrydene.example`,
          roles: { create: roles.map((role) => ({ role })) },
        },
      })
    ).id;
  const staff = {
    teacher: await mk('teacher', 'Tess Teacher', ['STAFF']),
    dsl: await mk('dsl', 'Dana Lead', ['DSL']),
    deputy: await mk('deputy', 'Dev Deputy', ['DEPUTY_DSL']),
    deputy2: await mk('deputy2', 'Dot Second', ['DEPUTY_DSL']),
    head: await mk('head', 'Hal Head', ['HEAD']),
    admin: await mk('admin', 'Ada Admin', ['ADMIN']),
    behaviour: await mk('behaviour', 'Bea Behaviour', ['BEHAVIOUR_LEAD']),
    keyworker: await mk('keyworker', 'Kit Keyworker', ['STAFF']),
  };
  const pupil = (await db.student.create({ data: { orgId: org.id, ...PUPIL, senStatus: 'K' } })).id;
  const pupil2 = (
    await db.student.create({ data: { orgId: org.id, ...PUPIL2, keyWorkerId: staff.keyworker } })
  ).id;
  return { orgId: org.id, staff, pupil, pupil2 };
}

/**
 * What the early-intervention alert rules look at, for PUPIL2: one incident in `category` on each of
 * `days` (of November 2026, 10:00 UTC; external ids `<prefix>-1`, `<prefix>-2` …), and four weeks of
 * attendance (27 Oct to 21 Nov 2026) with `attended` of 40 sessions.
 */
export async function seedAlertPattern(
  db: Db,
  s: School,
  o: { prefix: string; days: number[]; category: string; attended: number },
): Promise<void> {
  for (const [i, day] of o.days.entries())
    await db.incident.create({
      data: {
        orgId: s.orgId,
        source: 'arbor',
        externalId: `${o.prefix}-${i + 1}`,
        studentId: s.pupil2,
        occurredAt: new Date(`2026-11-${day}T10:00:00Z`),
        categories: o.category,
        sourceHash: `${o.prefix.toLowerCase()}${i + 1}`,
      },
    });
  await db.attendanceRecord.create({
    data: {
      orgId: s.orgId,
      studentId: s.pupil2,
      periodStart: '2026-10-27',
      periodEnd: '2026-11-21',
      sessionsPossible: 40,
      sessionsAttended: o.attended,
      sourceHash: 'a1',
    },
  });
}

/** A Teams-like channel: reaches only people with a TEAMS identity (honest fake of ChannelPort). */
export class IdentityOnlyChannel implements ChannelPort {
  readonly sent: { key: string; staffId: string; message: OutgoingMessage }[] = [];
  constructor(readonly platform: Platform = 'TEAMS') {}
  canReach(target: DeliveryTarget): boolean {
    return target.kind === 'person' && target.identity !== undefined;
  }
  /** No platform rate limits in this fake (the fake clock does not move while a test drains). */
  limitKey(): [] {
    return [];
  }
  async send(
    target: DeliveryTarget,
    message: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    this.sent.push({
      key: meta.idempotencyKey,
      staffId: target.kind === 'person' ? target.staffId : '',
      message,
    });
    capturedChannelText.push(JSON.stringify(message));
    return { outcome: 'sent', platformRef: meta.idempotencyKey };
  }
}

/** The configuration of another process on `t`'s database and data folder (same key, debug logs). */
function sameData(t: TestHub, extra: Record<string, string> = {}) {
  const dataDir = t.hub.config.dataDir;
  return loadConfig(
    {
      SEND_HUB_ENV: 'test',
      DATABASE_URL: t.url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      LOG_LEVEL: 'debug',
      PORT: '0',
      ...extra,
    },
    dataDir,
  );
}

/**
 * A second process on the same database and data folder that imports and writes to the outbox but never
 * sends (as `send-hub import`: HubOptions.delivers false). The caller closes its database handle.
 */
export async function importProcess(t: TestHub): Promise<Hub> {
  return createHub(sameData(t), createLogger('debug', new CaptureStream(capturedLogLines)), {
    clock: t.clock,
    modules: [safeguardingModule()],
    workerId: 'import-process',
    delivers: false,
  });
}

/** Simulate a crash: stop the hub's loops and drop its connection, keeping the database. */
export async function crash(t: TestHub): Promise<void> {
  t.console.close();
  await t.hub.scheduler.stop();
  await t.hub.deliverer.stop();
  await t.hub.dbh.close();
}

/** A new hub process on the same database and data folder (same key): what a restart does. */
export async function reopen(
  t: TestHub,
  clock: FakeClock,
): Promise<{ hub: Hub; console: ConsoleChannel; tickAndDeliver(): Promise<void>; close(): Promise<void> }> {
  const dataDir = t.hub.config.dataDir;
  const config = sameData(t, { HOST: '127.0.0.1' });
  const log = createLogger('debug', new CaptureStream(capturedLogLines));
  const consoleChannel = new ConsoleChannel(
    new CaptureStream(capturedChannelText),
    path.join(dataDir, 'console-journal.log'),
  );
  const hub = await createHub(config, log, {
    clock,
    channels: [consoleChannel],
    modules: [safeguardingModule()],
    workerId: 'test-worker-2',
  });
  consoleChannel.attach({
    action: (a) => hub.actions.dispatch(a),
    command: (text, actor) => hub.commands.run(text, actor, 'CONSOLE'),
    form: (actor, s) => hub.forms.submit(actor, s, 'CONSOLE'),
    check: (actor, formId, field, values, context) =>
      hub.forms.check(formId, actor, field, values, 'CONSOLE', context),
    actorForStaff: (id) => hub.staff.actorForStaff(id),
    actorForEmail: async () => null,
    defaultActor: async () => null,
  });
  return {
    hub,
    console: consoleChannel,
    async tickAndDeliver() {
      await hub.scheduler.tick();
      await hub.deliverer.drainAll();
    },
    async close() {
      await hub.scheduler.stop();
      await hub.deliverer.stop();
      await hub.dbh.close();
    },
  };
}
