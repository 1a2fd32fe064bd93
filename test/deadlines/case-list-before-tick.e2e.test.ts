/**
 * The LA manager's caseload right after `send-hub demo`, before any tick has run (real child processes, each
 * database): `send-hub case list` names each case's next deadline as the tick will store it (computed on
 * demand by the tick's own engine and diff, core/deadlines/projection.ts), never "no open deadline" for a
 * case whose deadlines are simply not computed yet. The read writes nothing: no deadline row, no nudge.
 * After the tick the list reads the same; a key date recorded afterwards shows at once, again the same as
 * after the next tick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

const DATE = String.raw`\w{3} \d{1,2} \w{3} \d{4}`;

describe.each(providers)('send-hub case list before the first tick (%s)', (provider) => {
  let s: CliSession;
  const written = async () => {
    const h = createDb(String(s.env.DATABASE_URL), { poolSize: 1 });
    try {
      return {
        deadlines: await h.db.deadline.count(),
        nudges: await h.db.reminder.count({ where: { subjectType: 'deadline' } }),
      };
    } finally {
      await h.close();
    }
  };
  beforeAll(async () => {
    s = await cliSession(provider);
    expect((await s.cli('demo')).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it(
    'names each case next deadline at once, writes nothing, and agrees with the tick',
    { timeout: 300_000 },
    async () => {
      const before = await s.cli('case', 'list');
      expect(before.code, before.err).toBe(0);
      expect(before.out).toMatch(/^4 cases\n/);
      expect(before.out).not.toContain('no open deadline');
      expect(before.out).toMatch(
        new RegExp(
          `DEMO-EHC-1 +EHC needs assessment +O\\.K\\. \\(Y6\\) +owner Priya Shah <sendco@elmfield\\.example> +Decision whether to assess \\(the LA's\\) (due|passed) ${DATE}`,
        ),
      );
      expect(before.out).toMatch(new RegExp(`DEMO-AR-1 .* (due|OVERDUE since) ${DATE}`));
      expect(before.out).toMatch(new RegExp(`DEMO-PEP-1 .* (due|OVERDUE since) ${DATE}`));
      // The hospital coordinator's health-needs case: its spells added up before any tick.
      expect(before.out).toMatch(
        new RegExp(
          `DEMO-HN-1 +health needs absence +R\\.M\\. \\(Y4\\) +owner Sian Pryce <s\\.pryce@hhts\\.example> +Education arranged .* (due|OVERDUE since) ${DATE}`,
        ),
      );
      // A read: the deadlines are not stored, nobody is nudged, until the tick.
      expect(await written()).toEqual({ deadlines: 0, nudges: 0 });

      expect((await s.cli('tick')).code).toBe(0);
      expect((await written()).deadlines).toBeGreaterThan(0);
      expect((await s.cli('case', 'list')).out).toBe(before.out);

      // A key date recorded after the tick (the decision to assess, today): the list is true before the next tick.
      const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
      const ev = await s.cli('case', 'event', 'DEMO-EHC-1', 'assessment_decision', today);
      expect(ev.code, ev.err).toBe(0);
      const changed = await s.cli('case', 'list');
      const ehc = changed.out.split('\n').find((l) => l.startsWith('DEMO-EHC-1'));
      expect(ehc).toMatch(new RegExp(`(due|OVERDUE since) ${DATE}`));
      expect(ehc).not.toContain('Decision whether to assess');
      expect((await s.cli('tick')).code).toBe(0);
      expect((await s.cli('case', 'list')).out).toBe(changed.out);
    },
  );
});
