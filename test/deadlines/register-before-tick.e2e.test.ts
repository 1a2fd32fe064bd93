/**
 * The SENDCo's SEN register right after `send-hub demo`, before any tick has run (each database): the real
 * `send-hub register` in another process, and chat `register` on the console as the SENDCo (Priya Shah).
 * Each pupil's next review is read as the tick will store it (app/deadlines/caseload-register.ts), so the
 * looked-after child's first LAC review, due 20 working days after coming into care (Care Planning,
 * Placement and Case Review (England) Regulations 2010 reg 33(1)(a); the demo places it on the next working
 * day), reads as the next review at once, before the CIN meeting in 3 days. The read writes nothing (no deadline row, no nudge); after
 * the tick both read the same.
 */
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { hubAndCli } from '../support/hub-cli.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;

describe.each(providers)('the SEN register before the first tick (%s)', (provider) => {
  const scenario = hubAndCli(provider);

  it('reads each pupil next review as the tick will store it, in the CLI and in chat, writing nothing', async () => {
    // The hub's clock is now, as the demo's (it places its cases and meetings relative to now).
    const t = await scenario.start({ now: new Date().toISOString() });
    const s = scenario.session();
    const demo = await s.cli('demo');
    expect(demo.code, demo.err).toBe(0);
    const db = t.hub.dbh.db;
    const written = async () => ({
      deadlines: await db.deadline.count(),
      nudges: await db.reminder.count({ where: { subjectType: 'deadline' } }),
    });
    const say = (line: string) => t.say(line);
    const cliRegister = async () => {
      const r = await s.cli('register');
      expect(r.code, r.err).toBe(0);
      return r.out;
    };

    const before = await cliRegister();
    expect(before).toMatch(/^SEN register: 4 pupils\n/);
    const inCare = before.split('\n').find((l) => l.startsWith('J.T. (Y5)'));
    expect(inCare).toMatch(
      new RegExp(
        `^J\\.T\\. \\(Y5\\) · SEN support · in care · key worker Hannah Cole <dt@elmfield\\.example> · next review ${DATE} \\(LAC review\\)$`,
      ),
    );
    expect(before).toMatch(
      new RegExp(
        `A\\.B\\. \\(Y7\\) · EHCP · key worker Priya Shah <sendco@elmfield\\.example> · next review ${DATE} \\(annual review meeting\\)`,
      ),
    );
    expect(before).toMatch(
      new RegExp(`L\\.W\\. \\(Y3\\) · SEN support · .* · next review ${DATE} \\(TAC meeting\\)`),
    );
    // The pupil being assessed is on SEN support (no plan yet) and has no review recorded: said so, not invented.
    expect(before).toMatch(/O\.K\. \(Y6\) · SEN support · .*no review date recorded/);
    expect(before).not.toMatch(/Amelia|Brook|Jayden|Thorne|Layla|Winters|Oscar|Kendrick/);

    // Chat, as the SENDCo: the same lines, without emails (she knows her colleagues), privately.
    expect(await say('as sendco@elmfield.example')).toContain('Priya Shah');
    const chat = await say('register');
    expect(chat).toContain('SEN register: 4 pupils');
    const chatLines = (text: string) =>
      before
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => l.replace(/ <[^>]+>/g, ''))
        .filter((l) => !text.includes(l));
    expect(chatLines(chat)).toEqual([]);
    expect(chat).toMatch(new RegExp(`J\\.T\\. \\(Y5\\) · .* · next review ${DATE} \\(LAC review\\)`));

    // Reads only: no deadline stored, nobody nudged, until the tick.
    expect(await written()).toEqual({ deadlines: 0, nudges: 0 });

    await t.tickAndDeliver();
    expect((await written()).deadlines).toBeGreaterThan(0);
    expect(await cliRegister()).toBe(before);
    expect(chatLines(await say('register'))).toEqual([]);
  }, 300_000);
});
