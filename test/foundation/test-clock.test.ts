/**
 * SEND_HUB_TEST_NOW: the instant the hub's and the CLI's clock starts at, for tests that run `send-hub` in
 * another process with fixed dates in their data (test/deadlines/due-truth.e2e.test.ts). Taken only with
 * SEND_HUB_ENV=test: a production hub must never run on a fake clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shiftedClock } from '../../app/clock.ts';
import { loadConfig } from '../../app/config/index.ts';
import { type CliSession, cliSession, okCli } from '../support/cli.ts';
import { problemsOf } from '../support/config-problems.ts';
import { providers } from '../support/db.ts';

describe('SEND_HUB_TEST_NOW in the configuration', () => {
  it('is refused outside SEND_HUB_ENV=test, naming the variable', () => {
    const at = '2026-12-07T12:00:00Z';
    for (const env of ['production', 'development']) {
      const problems = problemsOf({
        SEND_HUB_ENV: env,
        SEND_HUB_TEST_NOW: at,
        SEND_HUB_ENCRYPTION_KEY: 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
      });
      expect(problems).toEqual([
        `config error: SEND_HUB_TEST_NOW is set with SEND_HUB_ENV=${env}: a fixed clock is for tests only (SEND_HUB_ENV=test); unset it`,
      ]);
    }
    expect(problemsOf({ SEND_HUB_TEST_NOW: at })[0]).toMatch(/^config error: SEND_HUB_TEST_NOW is set/);
    expect(loadConfig({ SEND_HUB_ENV: 'test', SEND_HUB_TEST_NOW: at }, '/tmp').env.SEND_HUB_TEST_NOW).toBe(
      at,
    );
  });

  it('takes an ISO instant only', () => {
    expect(problemsOf({ SEND_HUB_ENV: 'test', SEND_HUB_TEST_NOW: '7 Dec 2026' })).toEqual([
      'config error: SEND_HUB_TEST_NOW is "7 Dec 2026": expected an ISO instant such as 2026-12-07T12:00:00Z',
    ]);
  });

  it('starts at the instant and advances with real time', () => {
    let real = 1_000_000;
    const clock = shiftedClock(new Date('2026-12-07T12:00:00Z'), () => real);
    expect(clock.now().toISOString()).toBe('2026-12-07T12:00:00.000Z');
    real += 1500;
    expect(clock.now().toISOString()).toBe('2026-12-07T12:00:01.500Z');
  });
});

describe.each(providers)('send-hub on SEND_HUB_TEST_NOW (%s)', (provider) => {
  let s: CliSession | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('reads its dates from that instant: due lists a board date in March 2031 as open', async () => {
    // Mon 3 Mar 2031: an exclusion notified Mon 24 Feb 2031 (the past, for this clock); no term dates, so
    // 15 school days are counted as weekdays: 25-28 Feb (4), 3-7 Mar (9), 10-14 Mar (14), Mon 17 Mar (15).
    s = await cliSession(provider, { SEND_HUB_TEST_NOW: '2031-03-03T12:00:00Z' });
    const cli = okCli(() => s!);
    await cli('init');
    await cli(
      ...['org', 'create', '--kind', 'school', '--name', 'Elm Park Primary', '--urn', '123456'],
      ...['--admin', 'h.ashworth@elmpark.example'],
    );
    const students = path.join(s.dir, 'students.csv');
    fs.writeFileSync(students, 'Student ID,UPN,Forename,Surname,Year\nS1,A123456789012,Mari,Ashby,4\n');
    await cli('import', 'students', students);
    await cli(
      ...['case', 'open', '--student', 'A123456789012', '--kind', 'PERMANENT_EXCLUSION'],
      ...['--start', '2031-02-24', '--event', 'exclusion_notified=2031-02-24', '--reference', 'PX-1'],
    );
    expect(await cli('due', '--within', '30d')).toMatch(/^2031-03-17 {2}OPEN .*case PX-1 /m);
  }, 300_000);
});
