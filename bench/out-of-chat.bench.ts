/**
 * Issue 16: a burst of 1,000 concerns (100 schools × 10) whose DSLs' chat fails (every send a transient
 * error, retried), each DSL with a verified e-mail and mobile. The notification rules queue each concern's
 * e-mail at 5 minutes and SMS at 10 (defaults). While the delivery loop runs, the hub's clock is moved on
 * so that the e-mails fall due as the concerns were raised (first raised + 5 minutes: the burst's own
 * spread), then past every SMS's due moment at once (the worst case: 1,000 due in the same instant).
 * E-mail and SMS go the production way (issue 18): the contacts module's channels with the GOV.UK Notify
 * transport (MAIL_TRANSPORT=notify, SMS_TRANSPORT=notify, one API key, its published limit in the rate
 * limiter) to a loopback Notify (bench/support/fake-notify.ts) that refuses more than 3,000 in a rolling
 * minute. Measured: the time from each message's due moment (the later of its notBefore and the moment the
 * clock reached it) to its request reaching Notify. Goal: p99 < 1 s; 0 duplicate sends, 0 refused.
 * Compared in the same run with the provider calls alone (bench/floors/notify-send-floor.ts: 100 people
 * at once, 10 each in order) and with handing 1,000 pre-built e-mails (already due) to the same loop.
 */
import { contactsModule, contactsOf } from '../app/contacts/contacts-module.ts';
import type { Hub } from '../app/container.ts';
import { safeguardingModule, safeguardingOf } from '../app/safeguarding/module.ts';
import { externalAlert } from '../app/safeguarding/out-of-chat.ts';
import type { ChannelPort, Clock, DeliveryResult } from '../core/ports.ts';
import type { Provider } from '../store/db.ts';
import type { Figure } from './figure.ts';
import { notifySendFloor } from './floors/notify-send-floor.ts';
import { benchHub, freshDb, postgresReachable, scaled, timed } from './support/bench-hub.ts';
import {
  FAKE_EMAIL_TEMPLATE,
  FAKE_NOTIFY_KEY,
  FAKE_SMS_TEMPLATE,
  FakeNotify,
} from './support/fake-notify.ts';

export const description =
  'Out of chat: 1,000 concerns with the DSL chat failing, rule due moment → e-mail / SMS provider call (p99), duplicates, vs 1,000 pre-built e-mails';

/** Real time shifted by an offset the benchmark moves on (the hub's clock jumps minutes ahead). */
class ShiftClock implements Clock {
  offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
}

/** The chat: every send fails as a Bot Connector 500 does (transient: retried). */
class FailingChat implements ChannelPort {
  readonly platform = 'TEAMS' as const;
  attempts = 0;
  canReach(): boolean {
    return true;
  }
  limitKey(): [] {
    return [];
  }
  async send(): Promise<DeliveryResult> {
    this.attempts++;
    return { outcome: 'failed', error: 'Teams answered 500', transient: true };
  }
}

/** The hub's environment for e-mail and SMS by Notify, at the stand-in `origin`. */
const notifyEnv = (origin: string) => ({
  MAIL_TRANSPORT: 'notify',
  SMS_TRANSPORT: 'notify',
  NOTIFY_API_KEY: FAKE_NOTIFY_KEY,
  NOTIFY_SMS_TEMPLATE_ID: FAKE_SMS_TEMPLATE,
  NOTIFY_EMAIL_TEMPLATE_ID: FAKE_EMAIL_TEMPLATE,
  NOTIFY_BASE_URL: origin,
});

const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? Number.NaN;

async function seed(hub: Hub, schools: number) {
  const db = hub.dbh.db;
  const repo = contactsOf(hub)?.repo;
  if (!repo) throw new Error('contacts module not loaded');
  const out: { orgId: string; studentId: string; raiserId: string; dslId: string }[] = [];
  for (let i = 0; i < schools; i++) {
    const org = await db.organisation.create({ data: { name: `Bench school ${i}` } });
    const mk = (key: string, role: 'DSL' | 'STAFF' | 'ADMIN') =>
      db.staff.create({
        data: {
          orgId: org.id,
          displayName: `${key} ${i}`,
          email: `${key}${i}@bench.example`,
          roles: { create: [{ role }] },
        },
      });
    const dsl = await mk('dsl', 'DSL');
    await mk('admin', 'ADMIN');
    const raiser = await mk('teacher', 'STAFF');
    for (const [kind, value] of [
      ['EMAIL', `dsl${i}@bench.example`],
      ['SMS', `+4477009${String(i).padStart(5, '0')}`],
    ] as const) {
      const { code } = await repo.setPending(org.id, dsl.id, kind, value, 'admin');
      await repo.verify(dsl.id, code);
    }
    const student = await db.student.create({
      data: { orgId: org.id, givenName: 'Bench', familyName: `Pupil${i}`, yearGroup: '7' },
    });
    out.push({ orgId: org.id, studentId: student.id, raiserId: raiser.id, dslId: dsl.id });
  }
  return out;
}

async function until(done: () => boolean, ms = 180_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

async function burst(provider: Provider, schools: number, perSchool: number) {
  const db = await freshDb(provider);
  const clock = new ShiftClock();
  const chat = new FailingChat();
  const notify = await new FakeNotify(() => clock.now().getTime()).start();
  const hub = await benchHub(db.url, {
    clock,
    channels: [chat],
    modules: [safeguardingModule(), contactsModule()],
    env: { CONSOLE_CHANNEL: 'off', PUBLIC_URL: 'https://hub.bench.example', ...notifyEnv(notify.origin) },
  });
  const places = await seed(hub, schools);
  const { service } = safeguardingOf(hub);
  const raisedAt = new Map<string, number>();
  const jobs = places.flatMap((p) => Array.from({ length: perSchool }, () => p));
  hub.deliverer.start(20);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < jobs.length) {
        const p = jobs[next++]!;
        await new Promise((r) => setImmediate(r));
        const r = await service.raise({
          orgId: p.orgId,
          studentId: p.studentId,
          raisedById: p.raiserId,
          source: 'chat',
          externalId: null,
          category: 'Neglect',
          immediateRisk: false,
          text: 'bench concern text',
          actionsTaken: '',
          occurredAt: clock.now(),
          via: 'CONSOLE',
        });
        raisedAt.set(r.concern.id, r.concern.raisedAt.getTime());
      }
    }),
  );
  const total = jobs.length;
  const raised = [...raisedAt.values()];
  const firstRaised = Math.min(...raised);
  const lastRaised = Math.max(...raised);
  /**
   * Move the hub's clock to `to` (never back) and wait for every message in `sends` (Notify's record of one
   * type): each one's latency is its arrival at Notify minus its due moment (raisedAt + `minutes`), or
   * minus `to` when it was already due then.
   */
  const dueLatency = async (sends: Map<string, number[]>, minutes: number, to: number) => {
    clock.offset += Math.max(0, to - clock.now().getTime());
    const jumpedTo = clock.now().getTime();
    const wall = await timed(() => until(() => sends.size >= total));
    const lat: number[] = [];
    for (const [key, at] of sends) {
      const id = key.split(':')[1] ?? '';
      const due = Math.max((raisedAt.get(id) ?? 0) + minutes * 60_000, jumpedTo);
      lat.push((at[0] ?? Number.POSITIVE_INFINITY) - due);
    }
    lat.sort((a, b) => a - b);
    return { lat, wallMs: wall.ms, sent: sends.size };
  };
  // E-mails fall due as the concerns were raised (the burst's own spread); the SMS all at one instant
  // (the clock jumps past every due moment at once: the worst case, 1,000 due in the same millisecond).
  const mail = await dueLatency(notify.email, 5, firstRaised + 5 * 60_000);
  const text = await dueLatency(notify.sms, 10, lastRaised + 10 * 60_000);
  await hub.deliverer.stop();
  const duplicates = notify.duplicates();
  const refused = notify.refused;
  await hub.dbh.close();
  await notify.close();
  await db.drop();
  return {
    total,
    mail,
    text,
    duplicates,
    refused,
    chatAttempts: chat.attempts,
    raiseMs: lastRaised - firstRaised,
  };
}

/** Baseline: 1,000 pre-built e-mails already due in the outbox, handed to Notify by the same loop. */
async function baseline(provider: Provider, n: number, schools: number) {
  const db = await freshDb(provider);
  const clock = new ShiftClock();
  const notify = await new FakeNotify(() => clock.now().getTime()).start();
  const hub = await benchHub(db.url, {
    clock,
    channels: [],
    modules: [contactsModule()],
    env: { CONSOLE_CHANNEL: 'off', ...notifyEnv(notify.origin) },
  });
  const places = await seed(hub, schools);
  for (let i = 0; i < n; i++) {
    const p = places[i % places.length]!;
    await hub.outbox.enqueue({
      idempotencyKey: `bench:${i}`,
      orgId: p.orgId,
      to: { staffId: p.dslId },
      priority: 0,
      via: 'EMAIL',
      message: externalAlert(
        { id: `c${String(i).padStart(24, '0')}`, raisedAt: clock.now() },
        'https://hub.bench.example/ack/x',
      ),
    });
  }
  const r = await timed(() => hub.deliverer.drainAll(100_000));
  const sent = [...notify.email.values()].reduce((k, v) => k + v.length, 0);
  await hub.dbh.close();
  await notify.close();
  await db.drop();
  return { ms: r.ms, sent };
}

/** Floor: the same number of SMS handed to Notify by its client alone (bench/floors/notify-send-floor.ts). */
async function floor(people: number, perPerson: number) {
  const notify = await new FakeNotify(() => Date.now()).start();
  const r = await notifySendFloor({
    origin: notify.origin,
    apiKey: FAKE_NOTIFY_KEY,
    templateId: FAKE_SMS_TEMPLATE,
    people,
    perPerson,
  });
  await notify.close();
  return r;
}

async function figuresFor(provider: Provider): Promise<Figure[]> {
  const schools = scaled(100, 5);
  const b = await burst(provider, schools, 10);
  const base = await baseline(provider, b.total, schools);
  const bare = await floor(schools, 10);
  const p = `out_of_chat.${provider}`;
  return [
    {
      name: `${p}.email.p99_ms`,
      value: pct(b.mail.lat, 99),
      unit: 'ms',
      goal: '< 1000',
      pass: pct(b.mail.lat, 99) < 1000 && b.mail.sent === b.total,
      baseline: `${b.total} concerns across ${schools} schools raised in ${b.raiseMs.toFixed(0)} ms, DSL chat failing; each e-mail's due moment (raised + 5 min) → provider call`,
    },
    { name: `${p}.email.p50_ms`, value: pct(b.mail.lat, 50), unit: 'ms' },
    {
      name: `${p}.sms.all_due_at_once.p99_ms`,
      value: pct(b.text.lat, 99),
      unit: 'ms',
      goal: '< 1000',
      pass: pct(b.text.lat, 99) < 1000 && b.text.sent === b.total,
      baseline: `worst case: all ${b.total} SMS due at the same instant (clock jumped past every due moment) → request at Notify`,
    },
    {
      name: `${p}.sms.all_due_at_once.wall.ratio_vs_floor`,
      value: b.text.wallMs / bare.ms,
      unit: 'ratio',
      baseline: `the Notify client alone sending ${bare.sent} SMS, ${schools} people at once, in order each (${bare.ms.toFixed(0)} ms); ${b.total} SMS due at once: ${b.text.wallMs.toFixed(0)} ms`,
    },
    { name: `${p}.sms.all_due_at_once.p50_ms`, value: pct(b.text.lat, 50), unit: 'ms' },
    {
      name: `${p}.sms.all_due_at_once.wall.ratio_vs_prebuilt`,
      value: b.text.wallMs / base.ms,
      unit: 'ratio',
      baseline: `the delivery loop handing ${base.sent} pre-built due e-mails to Notify (${base.ms.toFixed(0)} ms); ${b.total} SMS due at once: ${b.text.wallMs.toFixed(0)} ms`,
    },
    { name: `${p}.prebuilt_handoff.ms`, value: base.ms, unit: 'ms' },
    { name: `${p}.notify_floor.ms`, value: bare.ms, unit: 'ms' },
    {
      name: `${p}.notify_refused_429`,
      value: b.refused,
      unit: 'count',
      goal: '0',
      pass: b.refused === 0,
      baseline: 'requests the stand-in refused: over 3,000 in a rolling minute',
    },
    { name: `${p}.duplicate_sends`, value: b.duplicates, unit: 'count', goal: '0', pass: b.duplicates === 0 },
    { name: `${p}.chat_attempts_failed`, value: b.chatAttempts, unit: 'count' },
  ];
}

export async function run(): Promise<Figure[]> {
  const out = await figuresFor('sqlite');
  if (process.env.BENCH_OUT_OF_CHAT_PG !== '0' && (await postgresReachable()))
    out.push(...(await figuresFor('postgres')));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((f) => console.log(JSON.stringify(f, null, 2)));
}
