/**
 * `send-hub web sign-in-link <email>` as an admin runs it (a real child process, each database): in
 * development it prints a one-time link of the hub's address and stores only the token's hash; an unknown
 * address is named; in production (SEND_HUB_ENV or NODE_ENV) it refuses plainly and makes nothing. Each
 * outcome is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { hashToken } from '../../web/session.ts';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

describe.each(providers)('send-hub web sign-in-link on %s', (provider) => {
  let s: CliSession;
  beforeAll(async () => {
    s = await cliSession(provider, { PUBLIC_URL: 'https://hub.elmfield.example' });
    expect((await s.cli('demo')).code).toBe(0);
  });
  afterAll(async () => {
    await s?.close();
  });

  const db = async <T>(f: (d: ReturnType<typeof createDb>['db']) => Promise<T>): Promise<T> => {
    const h = createDb(String(s.env.DATABASE_URL));
    try {
      return await f(h.db);
    } finally {
      await h.close();
    }
  };

  it(
    'prints a one-time link in development; refuses in production; names an unknown address',
    { timeout: 300_000 },
    async () => {
      const ok = await s.cli('web', 'sign-in-link', 'head@elmfield.example');
      expect(ok.code).toBe(0);
      const url = ok.out.match(/^(https:\/\/hub\.elmfield\.example\/sign-in\/link\/([A-Za-z0-9_-]{43}))$/m);
      expect(url, ok.out).not.toBeNull();
      expect(ok.out).toContain('one use, until');
      const token = url?.[2] ?? '';
      const rows = await db((d) => d.webSignInLink.findMany({ select: { tokenHash: true, usedAt: true } }));
      expect(rows).toEqual([{ tokenHash: hashToken(token), usedAt: null }]);

      for (const env of [{ SEND_HUB_ENV: 'production' }, { NODE_ENV: 'production' }]) {
        const refused = await s.cliWith(env, 'web', 'sign-in-link', 'head@elmfield.example');
        expect(refused.code).not.toBe(0);
        expect(refused.err).toContain('sign-in links are for development only and are refused in production');
        expect(refused.out).not.toMatch(/sign-in\/link/);
      }
      const unknown = await s.cli('web', 'sign-in-link', 'nobody@elmfield.example');
      expect(unknown.code).not.toBe(0);
      expect(unknown.err).toContain('no active member of staff has the e-mail nobody@elmfield.example');

      expect(await db((d) => d.webSignInLink.count())).toBe(1);
      const audit = await db((d) =>
        d.auditEvent.findMany({
          where: { action: { startsWith: 'web.link_' } },
          select: { action: true, details: true },
          orderBy: { seq: 'asc' },
        }),
      );
      expect(audit.map((a) => [a.action, (a.details as { reason?: string } | null)?.reason ?? null])).toEqual(
        [
          ['web.link_issued', null],
          ['web.link_refused', 'production'],
          ['web.link_refused', 'production'],
          ['web.link_refused', 'unknown_person'],
        ],
      );
    },
  );
});
