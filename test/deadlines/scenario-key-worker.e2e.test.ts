/**
 * The key worker's seat (issue 14 point 7): Ken, a key worker (provides input to annual reviews), is
 * invited to Amelia's EHCP annual review on Thu 24 Dec 2026. The school's calendar feed brings the meeting;
 * Ken types `due` in chat and reads his advice request with its real deadline, Thu 10 Dec 2026 (advice
 * circulated at least two weeks before the meeting, SEND Regulations 2014 reg 20(4)), not the day he is
 * asked (Thu 3 Dec); once the 10th has passed it is marked late. The SENDCo's annual review case, opened
 * from the CLI, shows the same date for circulating the advice. Names: the child by initials and year
 * group, the meeting by type and date. Fails on the old code, which listed "3 Dec 2026, 09:00: report due".
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { type School, seedSchool, UPN } from '../meetings/support.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const TEST_KEY = 'test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

describe.each(providers)('the key worker reads the advice deadline of an annual review (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('sees "due by Thu 10 Dec 2026" for the review on 24 Dec, then LATE; the CLI agrees', async () => {
    t = await startTestHub(provider, { now: '2026-12-01T09:00:00Z' });
    const s: School = await seedSchool(t.hub);
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'reviews',
      text: buildIcs([
        {
          uid: 'ar-24dec@school.example',
          summary: `EHCP annual review ${UPN}`,
          start: '20261224T100000',
          end: '20261224T113000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ken@school.example'],
        },
      ]),
    });
    const say = (line: string) => t!.say(line);
    await say('as ken@school.example');
    const early = await say('due 30');
    expect(early).toContain(
      'Advice for the EHCP annual review for A.B. (Y7) on Thu 24 Dec 2026: due by Thu 10 Dec 2026 (circulated at least 2 weeks before the meeting, SEND Regulations 2014 reg 20(4))',
    );
    expect(early).not.toMatch(/report due/);
    expect(early).not.toMatch(/LATE/);

    // The request was not answered and the 10th has passed: the list says it is late.
    t.clock.set('2026-12-11T09:00:00Z');
    const late = await say('due 30');
    expect(late).toMatch(
      /Advice for the EHCP annual review for A\.B\. \(Y7\) on Thu 24 Dec 2026: due by Thu 10 Dec 2026 .* · LATE by 1 day/,
    );
    expect(t.consoleOut.text()).not.toMatch(/Amelia|Brown/);

    // The SENDCo's annual review case (CLI, another process) shows the same deadline for circulating it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-kw-'));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/send-hub.mjs', ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATA_DIR: dir,
          DATABASE_URL: t!.hub.config.databaseUrl,
          SEND_HUB_ENCRYPTION_KEY: TEST_KEY,
          LOG_LEVEL: 'error',
          SEND_HUB_ENV: 'test',
        },
        encoding: 'utf8',
        timeout: 90_000,
      });
    const opened = cli(
      'case',
      'open',
      '--student',
      UPN,
      '--kind',
      'ANNUAL_REVIEW',
      '--start',
      '2026-01-10',
      '--owner',
      'olive@school.example',
      '--reference',
      'AR-AB',
      '--event',
      'review_meeting_scheduled=2026-12-24',
    );
    expect(opened.stderr).toBe('');
    expect(opened.stdout).toMatch(/Case AR-AB · ANNUAL_REVIEW · A\.B\. \(Y7\)/);
    expect(opened.stdout).toMatch(/Thu 24 Dec 2026 {2}review_meeting_scheduled/);
    expect(opened.stdout).toMatch(
      /Thu 10 Dec 2026 {2}Review advice circulated \(2 weeks before the meeting\): (open|OVERDUE by \d+ days)/,
    );
    expect(opened.stdout).toMatch(/source: SEND Regulations 2014 \(SI 2014\/1530\) reg 20\(4\)/);
    expect(opened.stdout).not.toMatch(/Amelia|Brown/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
