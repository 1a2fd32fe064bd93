/**
 * The first five minutes (issue 19): the hub started the way `npm start` starts it (app/start.ts
 * startHub: development, the demo school on a fresh data folder, the console on stdin/stdout), on a
 * FakeClock ticked every 20 seconds as the scheduler would. A newcomer answers the guided tour by typing
 * at the console. Each of the four moments is introduced, then happens, in order, within five minutes of
 * simulated time; no JSON line reaches the terminal; each person reads what is for them.
 *
 * UPDATE_TRANSCRIPT=1 writes what the terminal showed (with the newcomer's lines after "> ") to
 * docs/first-five-minutes.txt, the transcript in the README's first section.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { prepareDatabase } from '../../app/database.ts';
import { createLogger } from '../../app/logger.ts';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { type RunningHub, registerStudentNames, startHub } from '../../app/start.ts';
import { FakeClock } from '../support/clock.ts';
import { freshDatabaseUrl, providers } from '../support/db.ts';
import { CaptureStream, capturedLogLines } from '../support/hub.ts';
import { testStudentNames } from '../support/names.ts';

const KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
// A Tuesday in term, 10:00 in London: inside working hours, so nothing waits for the morning.
const START = '2026-11-24T10:00:00Z';

interface Session {
  running: RunningHub;
  clock: FakeClock;
  input: PassThrough;
  out: CaptureStream;
  logs: CaptureStream;
  dataDir: string;
  /** What the terminal showed, with typed lines and the simulated time of each tick that printed. */
  transcript: string[];
  seen: number;
  /** When `npm start` ran (simulated). */
  t0: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(
  provider: 'sqlite' | 'postgres',
  env: Record<string, string>,
  at = START,
  /** The same database and data folder again (a restart). */
  again?: { url: string; dataDir: string },
): Promise<Session & { url: string }> {
  let url = again?.url;
  let dataDir = again?.dataDir;
  if (!url || !dataDir) {
    const fresh = await freshDatabaseUrl(provider);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-first5-'));
    cleanups.push(async () => {
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    url = fresh.url;
    dataDir = dir;
  }
  const config = loadConfig(
    {
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: KEY,
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE_CHANNEL: 'on',
      DEMO: 'on',
      TIME_ZONE: 'Europe/London',
      ...env,
    },
    dataDir,
  );
  // Production refuses an empty database (`send-hub init` makes it): migrate it first, as init would.
  if (config.production)
    await prepareDatabase(loadConfig({ ...config.raw, SEND_HUB_ENV: 'development' }, dataDir));
  const clock = new FakeClock(at);
  const input = new PassThrough();
  const out = new CaptureStream();
  // The log file of a terminal session (app/terminal-log.ts); the suite's no-names guard reads it too.
  const logs = new CaptureStream(capturedLogLines);
  const running = await startHub(config, createLogger('info', logs), {
    clock,
    stdin: input,
    stdout: out,
    manualTicks: true,
  });
  cleanups.push(() => running.stop());
  return { running, clock, input, out, logs, dataDir, transcript: [], seen: 0, t0: Date.parse(at), url };
}

const mmss = (ms: number) =>
  `${Math.floor(ms / 60_000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

/** New terminal output since the last look, for the transcript. */
function collect(s: Session, label?: string): void {
  const text = s.out.text();
  const fresh = text.slice(s.seen);
  s.seen = text.length;
  if (label !== undefined || fresh.trim()) s.transcript.push(`${label ?? ''}${fresh}`);
}

/** One scheduler tick (as the 20-second cron would) and every delivery it makes due. */
async function tick(s: Session): Promise<void> {
  const hub = s.running.hub;
  await registerStudentNames(hub);
  await hub.scheduler.tick();
  await hub.deliverer.drainAll();
  const at = s.clock.now().getTime() - s.t0;
  const before = s.seen;
  if (s.out.text().length > before) collect(s, `\n· ${mmss(at)} ·`);
}

async function until(what: string, s: Session, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${what}: never happened; the terminal shows:\n${s.out.text().slice(-3000)}`);
}

/** Type a line at the console (stdin) and wait until the hub has answered it. */
async function type(s: Session, line: string, answer: string | RegExp): Promise<void> {
  collect(s);
  const from = s.out.text().length;
  s.transcript.push(`> ${line}\n`);
  s.input.write(`${line}\n`);
  await until(`an answer to "${line}"`, s, () => {
    const after = s.out.text().slice(from);
    return typeof answer === 'string' ? after.includes(answer) : answer.test(after);
  });
  collect(s);
}

/** The console reference of the first message of `kind` shown to `email` (and matching `about`). */
async function shown(s: Session, kind: string, email: string, about?: string): Promise<string> {
  const m = await find(s, kind, email, about);
  if (!m) throw new Error(`no ${kind} for ${email}; the terminal shows:\n${s.out.text().slice(-3000)}`);
  return m.ref;
}

async function find(s: Session, kind: string, email: string, about?: string) {
  const staff = await s.running.hub.staff.byEmail(email);
  return s.running
    .console!.transcript()
    .find(
      (x) =>
        x.message.kind === kind &&
        x.staffId === staff?.id &&
        (!about || JSON.stringify(x.message).includes(about)),
    );
}

/** Advance the clock in 20-second ticks up to `ms` after the start (or until `stop`). */
async function runTo(s: Session, ms: number, stop?: () => Promise<unknown>): Promise<void> {
  while (s.clock.now().getTime() - s.t0 < ms) {
    s.clock.advance(20_000);
    await tick(s);
    if (stop && (await stop())) return;
  }
}

/**
 * The demo EHC nudge, read on `today` (the demo's clock): every day it offers to aim for, hold by or as a
 * safe target is today or later; a day already past is said to have passed.
 */
async function noPastAim(s: Session, today: string): Promise<void> {
  const nudge = await find(s, 'deadline_nudge', SENDCO, 'DEMO-EHC-1');
  expect(nudge).toBeDefined();
  const text = JSON.stringify(nudge!.message);
  const offered = [
    ...text.matchAll(
      /(?:aim for|hold it by|Safe target","value":") ?(\w{3} \d{1,2} \w{3} \d{4})( \(passed\))?/g,
    ),
  ];
  for (const [, day, passed] of offered) {
    const iso = new Date(`${day} 12:00 UTC`).toISOString().slice(0, 10);
    if (!passed) expect(iso >= today, `${day} offered on ${today}: ${text}`).toBe(true);
  }
}

const SENDCO = 'sendco@elmfield.example';
const DSL = 'dsl@elmfield.example';

describe.each(providers)('the first five minutes on %s', (provider) => {
  it('the tour introduces and plays its four moments in order, and the newcomer answers each', async () => {
    const s = await start(provider, { SEND_HUB_ENV: 'development' });
    const elapsed = () => s.clock.now().getTime() - s.t0;
    const happened = new Map<string, number>();
    const moment = async (name: string, kind: string, email: string, about?: string) => {
      if (!happened.has(name) && (await find(s, kind, email, about))) happened.set(name, elapsed());
      return happened.has(name);
    };
    collect(s, '$ npm start\n');
    // The welcome and the first moment's introduction, before anything is sent.
    expect(s.out.text()).toContain('SEND Hub tour: the first five minutes');
    expect(s.out.text()).toContain('1 of 4');
    await tick(s);

    // 1. The meeting reminder, within a minute; Priya marks it done.
    await runTo(s, 60_000, () => moment('reminder', 'meeting_reminder', SENDCO));
    expect(happened.get('reminder')).toBeLessThanOrEqual(60_000);
    await type(s, 'staff', 'who is who');
    expect(s.out.text()).toMatch(/Tom Reed, DSL: as dsl@elmfield\.example/);
    await type(s, `as ${SENDCO}`, 'Acting as Priya Shah.');
    const reminder = await shown(s, 'meeting_reminder', SENDCO);
    await type(s, `done ${reminder}`, `[${reminder}] Done`);

    // 2. The statutory deadline, the LA's: introduced, then Priya, holding the case at school, is told the
    // LA's decision whether to assess has passed (not nudged as hers); she records it once the LA decides.
    await runTo(s, 150_000, () => moment('deadline', 'deadline_nudge', SENDCO, 'DEMO-EHC-1'));
    expect(s.out.text()).toContain('2 of 4');
    const nudge = await shown(s, 'deadline_nudge', SENDCO, 'DEMO-EHC-1');
    expect(s.out.text()).toMatch(/The LA's date has passed: Decision whether to assess/);
    await type(s, `done ${nudge}`, `[${nudge}] Met on`);

    // 3. The concern: introduced, raised by Ellie Marsh, at the DSL, then the deputy a minute later.
    await runTo(s, 160_000);
    expect(s.out.text()).toContain('3 of 4');
    expect(await find(s, 'concern_escalation', DSL)).toBeUndefined();
    await runTo(s, 200_000, () => moment('concern', 'concern_escalation', DSL));
    await runTo(s, 260_000, () => find(s, 'concern_escalation', 'deputy.dsl@elmfield.example'));
    expect(s.out.text()).toMatch(/── to Tom Reed, DSL ─/);
    expect(s.out.text()).toMatch(/── to Grace Okafor, deputy DSL ─/);
    const alert = await shown(s, 'concern_escalation', DSL);
    await type(s, `as ${DSL}`, 'Acting as Tom Reed.');
    await type(s, `acknowledge ${alert}`, `[${alert}]`);
    const concern = await s.running.hub.dbh.db.concern.findFirstOrThrow();
    expect(concern.status).not.toBe('RAISED');
    const dsl = await s.running.hub.staff.byEmail(DSL);
    expect(concern.acknowledgedById).toBe(dsl!.id);

    // 4. The notes prompt when the demo TAC meeting ends; Priya writes the notes; the action is a nudge.
    await runTo(s, 300_000, () => moment('notes', 'notes_prompt', SENDCO));
    expect(s.out.text()).toContain('4 of 4');
    await type(s, `as ${SENDCO}`, 'Acting as Priya Shah.');
    const answers: [string, string][] = [
      ['Attendees (name, role, agency): ', 'Priya Shah SENDCo, Ellie Marsh class teacher, parent'],
      ['Apologies (optional): ', ''],
      ["The child or young person's voice: ", 'Likes lunchtime club.'],
      ['What is working well: ', 'Settles well in the mornings.'],
      ['Worries: ', 'Tired in the afternoons.'],
      ['Action 1: what needs to happen (optional): ', 'Share the sleep leaflet with the family'],
      ['Action 1: owner (a colleague) (optional)', 'e.marsh@elmfield.example'],
      ['Action 1: or owner outside the hub (optional)', ''],
      ['Action 1: due date (optional): ', '2026-11-27'],
      ['Action 2: what needs to happen (optional): ', ''],
      ['Next meeting date (optional): ', ''],
      ['Consent for sharing [given/refused/not_required_risk]: ', 'given'],
      ['Reason for sharing without consent (if so) (optional): ', ''],
    ];
    await type(s, 'tac', answers[0]![0]);
    for (let i = 0; i < answers.length; i++) {
      const next = answers[i + 1]?.[0] ?? 'Notes submitted.';
      await type(s, answers[i]![1], next);
    }
    await runTo(s, 340_000, () => find(s, 'action_nudge', 'e.marsh@elmfield.example'));
    expect(await find(s, 'action_nudge', 'e.marsh@elmfield.example')).toBeDefined();
    await runTo(s, 320_000);
    expect(s.out.text()).toContain('that was the tour');

    // In order, each within five minutes of `npm start`.
    const times = ['reminder', 'deadline', 'concern', 'notes'].map((k) => happened.get(k));
    expect(times.every((t) => t !== undefined && t <= 300_000)).toBe(true);
    expect([...times].sort((x, y) => x! - y!)).toEqual(times);
    // Each moment introduced before it happens.
    const text = s.out.text();
    const at = (needle: string) => text.indexOf(needle);
    expect(at('1 of 4')).toBeLessThan(at('Team Around the Child meeting'));
    expect(at('2 of 4')).toBeLessThan(at('Decision whether to assess'));
    expect(at('3 of 4')).toBeLessThan(at('── to Tom Reed, DSL'));
    expect(at('4 of 4')).toBeLessThan(at('Notes for the'));
    // A conversation, not a log: no JSON line reached the terminal; the log lines went to the log.
    expect(text.split('\n').filter((l) => l.trim().startsWith('{'))).toEqual([]);
    expect(s.logs.text()).toMatch(/"msg":"send-hub started"/);
    // No pupil's name in the log.
    for (const n of testStudentNames) expect(s.logs.text()).not.toContain(n.familyName);

    if (process.env.UPDATE_TRANSCRIPT === '1' && provider === 'sqlite') {
      collect(s);
      const shownText = s.transcript
        .join('')
        .replaceAll(s.dataDir, './data')
        .replace(/localhost:\d+/g, 'localhost:3978')
        .replace(/\/sign-in\/link\/[\w-]+/g, '/sign-in/link/<one-time token>');
      fs.writeFileSync(path.join(import.meta.dirname, '../../docs/first-five-minutes.txt'), shownText);
    }
  });

  it('`tour` replays it: new moments dated from now, the demo EHC deadline nudged again', async () => {
    const s = await start(provider, { SEND_HUB_ENV: 'development' });
    await tick(s);
    await runTo(s, 320_000);
    const before = s.running.console!.transcript().length;
    s.clock.advance(3_600_000);
    await type(s, 'tour', 'The tour starts again');
    expect(s.out.text().split('SEND Hub tour: the first five minutes')).toHaveLength(3);
    const t0 = s.clock.now().getTime();
    while (s.clock.now().getTime() - t0 < 300_000) {
      s.clock.advance(20_000);
      await tick(s);
    }
    const again = s.running.console!.transcript().slice(before);
    for (const k of ['meeting_reminder', 'concern_escalation', 'notes_prompt'])
      expect(again.map((x) => x.message.kind)).toContain(k);
    // The demo EHC needs assessment is nudged again (its deadlines recomputed from the request re-dated).
    expect(
      again.some(
        (x) => x.message.kind === 'deadline_nudge' && JSON.stringify(x.message).includes('DEMO-EHC-1'),
      ),
    ).toBe(true);
    // A second concern, raised by the replay.
    expect(await s.running.hub.dbh.db.concern.count()).toBe(2);
  });

  it('on a Saturday evening too: the demo school moments do not wait for Monday morning', async () => {
    // Sat 28 Nov 2026, 21:00 in London: quiet hours and a weekend for every real organisation.
    const s = await start(provider, { SEND_HUB_ENV: 'development' }, '2026-11-28T21:00:00Z');
    await tick(s);
    await runTo(s, 300_000);
    expect(await find(s, 'meeting_reminder', SENDCO)).toBeDefined();
    expect(await find(s, 'deadline_nudge', SENDCO, 'DEMO-EHC-1')).toBeDefined();
    expect(await find(s, 'concern_escalation', DSL)).toBeDefined();
    expect(await find(s, 'notes_prompt', SENDCO)).toBeDefined();
    await noPastAim(s, '2026-11-28');
  });

  it('on a Sunday: the demo nudge offers no day already past as one to aim for', async () => {
    // Sun 6 Dec 2026, 11:00 in London.
    const s = await start(provider, { SEND_HUB_ENV: 'development' }, '2026-12-06T11:00:00Z');
    await tick(s);
    await runTo(s, 300_000);
    await noPastAim(s, '2026-12-06');
  });

  it('a restart does not replay the tour: it suggests `tour`', async () => {
    const first = await start(provider, { SEND_HUB_ENV: 'development' });
    await tick(first);
    await first.running.stop();
    const s = await start(provider, { SEND_HUB_ENV: 'development' }, '2026-11-24T11:00:00Z', first);
    expect(s.out.text()).not.toContain('SEND Hub tour');
    expect(s.out.text()).toContain('Type `tour` for the five-minute guided tour');
    await tick(s);
    await runTo(s, 120_000);
    expect(s.out.text()).not.toContain('SEND Hub tour');
  });

  it('production never runs the tour or its short timers', async () => {
    const s = await start(provider, { SEND_HUB_ENV: 'production' });
    await tick(s);
    await runTo(s, 320_000);
    expect(s.out.text()).not.toContain('SEND Hub tour');
    expect(s.running.console!.transcript().map((x) => x.message.kind)).not.toContain('concern_escalation');
    await type(s, 'tour', 'never runs in production');
    // A concern in the demo organisation waits the real 15 minutes before its next step.
    const hub = s.running.hub;
    const org = (await hub.orgs.all())[0]!;
    const sg = safeguardingOf(hub).service;
    expect(sg.policyFor(org.id).ackMinutes).toBe(15);
    const pupil = await hub.dbh.db.student.findFirstOrThrow({ where: { orgId: org.id } });
    const raised = await sg.raise({
      orgId: org.id,
      studentId: pupil.id,
      raisedById: null,
      source: 'chat',
      externalId: null,
      category: 'Welfare concern',
      immediateRisk: false,
      text: 'Production check.',
      actionsTaken: 'None.',
      occurredAt: s.clock.now(),
      via: 'SYSTEM',
    });
    const row = await hub.dbh.db.concern.findUniqueOrThrow({ where: { id: raised.concern.id } });
    expect(row.nextEscalationAt!.getTime() - s.clock.now().getTime()).toBe(15 * 60_000);
  });
});
