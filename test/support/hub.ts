/**
 * A whole hub on a real database for end-to-end tests: the same container as production, a fake clock,
 * a capturing console channel, and the log captured in memory (so tests can grep it for names).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { expect } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { createHub, type Hub } from '../../app/container.ts';
import { createLogger } from '../../app/logger.ts';
import type { FeatureModule } from '../../app/module.ts';
import { defaultModules } from '../../app/modules.ts';
import { registerStudentNames } from '../../app/start.ts';
import { ConsoleChannel } from '../../bots/console/console-channel.ts';
import type { ChannelPort } from '../../core/ports.ts';
import type { Provider } from '../../store/db.ts';
import { FakeClock } from './clock.ts';
import { freshDatabaseUrl } from './db.ts';

/**
 * Every log line and every message sent through any channel by a test hub is also appended to a file in
 * the run's capture folder (SEND_HUB_CAPTURE_DIR, made by test/support/no-names-global-setup.ts), whose
 * teardown fails the run if a test student's name appears outside a private 1:1 message.
 */
function capture(record: Record<string, unknown>): void {
  const dir = process.env.SEND_HUB_CAPTURE_DIR;
  if (!dir) return;
  let file: string | undefined;
  try {
    file = expect.getState().testPath?.split('/').slice(-2).join('/');
  } catch {
    file = undefined;
  }
  fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), `${JSON.stringify({ ...record, file })}\n`);
}

/** Record what a channel sends (audience and target decide whether a name may appear). */
function captureSends(channel: ChannelPort): void {
  const send = channel.send.bind(channel);
  channel.send = async (target, message, meta) => {
    capture({
      type: 'channel',
      audience: message.audience,
      target: target.kind,
      platform: channel.platform,
      text: [
        message.title,
        message.text,
        ...message.facts.map((f) => `${f.label}: ${f.value}`),
        ...message.sections.flatMap((x) => [x.heading, ...x.lines]),
        ...message.actions.map((a) => a.label),
      ].join('\n'),
    });
    return send(target, message, meta);
  };
}

/** Every log line and console line written by any test hub in this worker (for the no-names checks). */
export const capturedLogLines: string[] = [];
export const capturedChannelText: string[] = [];

export class CaptureStream extends Writable {
  readonly chunks: string[] = [];
  constructor(private readonly sink?: string[]) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    const s = chunk.toString();
    this.chunks.push(s);
    this.sink?.push(s);
    if (this.sink === capturedLogLines) capture({ type: 'log', text: s });
    cb();
  }
  text(): string {
    return this.chunks.join('');
  }
}

export interface TestHub {
  hub: Hub;
  clock: FakeClock;
  console: ConsoleChannel;
  consoleOut: CaptureStream;
  logOut: CaptureStream;
  url: string;
  /** One planner tick then deliver everything due. */
  tickAndDeliver(): Promise<void>;
  /** Type `line` at the console (as whoever is signed in there) and return what the console printed for it. */
  say(line: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestHub(
  provider: Provider,
  opts: {
    now?: string;
    env?: Record<string, string>;
    modules?: FeatureModule[];
    channels?: ChannelPort[];
  } = {},
): Promise<TestHub> {
  const { url, drop } = await freshDatabaseUrl(provider);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-data-'));
  const config = loadConfig(
    {
      SEND_HUB_ENV: 'test',
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      LOG_LEVEL: 'debug',
      PORT: '0',
      HOST: '127.0.0.1',
      ...opts.env,
    },
    dataDir,
  );
  const logOut = new CaptureStream(capturedLogLines);
  const log = createLogger('debug', logOut);
  const clock = new FakeClock(opts.now ?? '2026-11-24T09:00:00Z');
  const consoleOut = new CaptureStream(capturedChannelText);
  const consoleChannel = new ConsoleChannel(consoleOut, path.join(dataDir, 'console-journal.log'));
  const hub = await createHub(config, log, {
    clock,
    channels: [...(opts.channels ?? []), consoleChannel],
    modules: opts.modules ?? defaultModules(),
    workerId: 'test-worker',
  });
  for (const ch of hub.channels) captureSends(ch);
  consoleChannel.attach({
    action: (a) => hub.actions.dispatch(a),
    command: (text, actor) => hub.commands.run(text, actor, 'CONSOLE'),
    form: (actor, s) => hub.forms.submit(actor, s, 'CONSOLE'),
    check: (actor, formId, field, values, context) =>
      hub.forms.check(formId, actor, field, values, 'CONSOLE', context),
    actorForStaff: (id) => hub.staff.actorForStaff(id),
    actorForEmail: async (email) => {
      const s = await hub.staff.byEmail(email);
      return s ? hub.staff.actorForStaff(s.id) : null;
    },
    defaultActor: async () => null,
  });
  const input = new PassThrough();
  consoleChannel.listen(input);
  return {
    hub,
    clock,
    console: consoleChannel,
    consoleOut,
    logOut,
    url,
    async tickAndDeliver() {
      await registerStudentNames(hub);
      await hub.scheduler.tick();
      await hub.deliverer.drainAll();
    },
    async say(line: string) {
      const from = consoleOut.text().length;
      await consoleChannel.handleLine(line);
      return consoleOut.text().slice(from);
    },
    async close() {
      consoleChannel.close();
      await hub.scheduler.stop();
      await hub.deliverer.stop();
      await hub.dbh.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
