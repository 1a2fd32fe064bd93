/**
 * For the role scenarios of issue 13 part C: the real CLI (`node bin/send-hub.mjs`, a child process) on the
 * running test hub's database, dates relative to the real clock (the CLI process has no fake clock), and what
 * one person reads in the console.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestHub } from '../support/hub.ts';

const run = promisify(execFile);

/** The CLI as an administrator runs it, on the hub's database and data folder (same encryption key). */
export function cliFor(t: TestHub, extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATABASE_URL: t.url,
    DATA_DIR: t.hub.config.dataDir,
    SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    SEND_HUB_ENV: 'test',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  return async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
    try {
      const r = await run(process.execPath, ['bin/send-hub.mjs', ...args], { env, timeout: 180_000 });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout ?? '', err: x.stderr ?? '' };
    }
  };
}

/** Europe/London wall clock "dd/mm/yyyy hh:mm", `daysAgo` days before `now`, at `hour`. */
export function ukDateTime(now: Date, daysAgo: number, hour = 10): string {
  const d = new Date(now.getTime() - daysAgo * 86_400_000);
  const [y, m, day] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(d).split('-');
  return `${day}/${m}/${y} ${String(hour).padStart(2, '0')}:00`;
}

/** ISO local date `daysAgo` days before `now` (Europe/London). */
export function isoDaysAgo(now: Date, daysAgo: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(
    new Date(now.getTime() - daysAgo * 86_400_000),
  );
}

/** Everything one person has been shown in the console (title, text, facts), one message per entry. */
export function readBy(t: TestHub, staffId: string): { kind: string; text: string }[] {
  return t.console
    .transcript()
    .filter((m) => m.staffId === staffId)
    .map((m) => ({
      kind: m.message.kind,
      text: [m.message.title, m.message.text, ...m.message.facts.map((f) => `${f.label}: ${f.value}`)].join(
        '\n',
      ),
    }));
}

/**
 * Tick the running hub and deliver until `done()` holds (a condition, not a sleep), at most `max` rounds. The
 * hub runs on the wall clock, like the CLI process that wrote the outbox rows; with `overnight`, it is moved
 * on to when the messages waiting out the school's quiet hours are released (early-help prompts are not
 * urgent: they wait for the working day, a safeguarding concern does not).
 */
export async function tickUntil(
  t: TestHub,
  done: () => boolean | Promise<boolean>,
  opts: { overnight?: boolean; max?: number } = {},
): Promise<void> {
  const max = opts.max ?? 20;
  for (let i = 0; i < max; i++) {
    let at = new Date();
    // The first round on the wall clock (every rule is evaluated now), later rounds at the release time of
    // the early-help prompts waiting out the quiet hours.
    if (opts.overnight && i > 0) {
      const waiting = await t.hub.dbh.db.outboxMessage.findMany({
        where: { state: 'PENDING', idempotencyKey: { startsWith: 'alert:' } },
        select: { nextAttemptAt: true },
      });
      for (const w of waiting) if (w.nextAttemptAt && w.nextAttemptAt > at) at = w.nextAttemptAt;
    }
    t.clock.set(at);
    await t.tickAndDeliver();
    if (await done()) return;
  }
  throw new Error(`condition not met after ${max} ticks`);
}
