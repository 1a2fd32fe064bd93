/**
 * `send-hub slack check` (README "The send-hub command line": `slack link`, `slack check`): the command's
 * own action, run through commander on a hub with SLACK_BOT_TOKEN, against Slack's auth.test (nock): a
 * working token names its workspace and exits 0; a revoked one prints Slack's error and exits 1; an
 * unreachable Slack says so. Nobody is linked and the token is never printed.
 */
import { Command } from 'commander';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { providers } from '../support/db.ts';
import { BOT_TOKEN, SLACK, type SlackHub, startSlackHub, TEAM } from './support.ts';

describe.each(providers)('send-hub slack check on %s', (provider) => {
  let h: SlackHub;
  beforeEach(async () => {
    h = await startSlackHub(provider);
  });
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    nock.cleanAll();
    await h.close();
  });

  /** `send-hub slack check` as commander runs it: what it printed and the exit code it set. */
  const check = async (): Promise<{ out: string; code: number | undefined }> => {
    const program = new Command().exitOverride();
    const mod = h.hub.modules.find((m) => m.name === 'slack');
    mod?.cli?.(
      program,
      async () => h.hub,
      async () => {},
    );
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
      lines.push(a.join(' '));
    });
    process.exitCode = undefined;
    await program.parseAsync(['slack', 'check'], { from: 'user' });
    const code = process.exitCode as number | undefined;
    process.exitCode = undefined;
    vi.restoreAllMocks();
    return { out: lines.join('\n'), code };
  };

  it('names the workspace of a working token; prints Slack error and exits 1 otherwise', async () => {
    nock(SLACK)
      .post('/api/auth.test')
      .reply(200, { ok: true, team_id: TEAM, team: 'Elm School', user_id: 'UBOT', bot_id: 'B0BOT' });
    const users = nock(SLACK).post('/api/users.list').reply(200, { ok: true, members: [] });
    const good = await check();
    expect(good.out).toBe(`ok   workspace Elm School (${TEAM}): the bot token works (bot user UBOT)`);
    expect(good.code ?? 0).toBe(0);
    expect(users.isDone()).toBe(false); // a check links nobody

    nock(SLACK).post('/api/auth.test').reply(200, { ok: false, error: 'token_revoked' });
    const revoked = await check();
    expect(revoked.out).toBe('FAIL SLACK_BOT_TOKEN: Slack answered token_revoked');
    expect(revoked.code).toBe(1);

    nock(SLACK)
      .post('/api/auth.test')
      .replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND slack.com' });
    const down = await check();
    expect(down.out).toMatch(/^FAIL SLACK_BOT_TOKEN: Slack could not be reached \(/);
    expect(down.code).toBe(1);
    expect(`${good.out}${revoked.out}${down.out}`).not.toContain(BOT_TOKEN);
  });
});
