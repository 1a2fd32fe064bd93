/**
 * The hub starts and serves while Slack's API is unreachable: the token check runs in the background,
 * /healthz reports Slack as degraded (not down), and once auth.test succeeds the workspace's members
 * are linked by email and the unmatched ones reported to the admin. Also the OAuth installation store:
 * tokens are encrypted at rest.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { healthDetails } from '../support/health.ts';
import { BOT_TOKEN, type School, SLACK, type SlackHub, seedSchool, startSlackHub, TEAM } from './support.ts';

describe.each(providers)('Slack resilience on %s', (provider) => {
  let h: SlackHub;
  let school: School;

  beforeEach(async () => {
    h = await startSlackHub(provider);
    school = await seedSchool(h.hub);
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  type Health = { status: string; modules: Record<string, Record<string, unknown>> };
  const health = (until?: (b: Health) => boolean) => healthDetails<Health>(h.base, until);

  it('serves with Slack unreachable, reports it, and recovers in the background', async () => {
    nock(SLACK)
      .post('/api/auth.test')
      .replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND slack.com' });
    const mod = h.hub.modules.find((m) => m.name === 'slack');
    await mod?.start?.(h.hub);
    const monitor = h.slack.monitor;
    if (!monitor) throw new Error('no token monitor');
    // start() returned without waiting for Slack; the first check fails in the background.
    expect((await monitor.whenChecked()).status).toBe('pending');
    const down = await health();
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('degraded');
    expect(down.body.modules.slack).toMatchObject({ ok: false, mode: 'http', token: { status: 'pending' } });

    // Slack is back: auth.test succeeds, then every member is linked by email.
    nock(SLACK)
      .post('/api/auth.test')
      .reply(200, { ok: true, team_id: TEAM, user_id: 'UBOT', bot_id: 'B0BOT' });
    const list = nock(SLACK)
      .post('/api/users.list')
      .reply(200, {
        ok: true,
        members: [
          { id: 'U0SAM', profile: { email: 'sam@school.example', real_name: 'Sam Sendco' } },
          { id: 'U0NEW', profile: { email: 'new.starter@gmail.example', real_name: 'New Starter' } },
          { id: 'UBOTX', is_bot: true, profile: {} },
          { id: 'UGONE', deleted: true, profile: { email: 'ada@school.example' } },
        ],
        response_metadata: { next_cursor: '' },
      });
    await monitor.check();
    expect(list.isDone()).toBe(true);
    const up = await health((b) => b.modules.slack?.ok === true);
    expect(up.body.modules.slack).toMatchObject({ ok: true, token: { status: 'ok', teamId: TEAM } });
    expect((await h.hub.staff.actorFor('SLACK', TEAM, 'U0SAM'))?.staffId).toBe(school.sam.staffId);
    expect(await h.hub.staff.actorFor('SLACK', TEAM, 'UGONE')).toBeNull();
    const notice = await h.hub.dbh.db.outboxMessage.findMany({
      where: { recipientId: school.admin.staffId },
    });
    expect(notice).toHaveLength(1);
    expect(notice[0]?.idempotencyKey).toMatch(/^slack-unmatched:T0SCHOOL1:/);
  });

  it('keeps OAuth installations encrypted at rest and finds them again', async () => {
    const store = h.slack.installations;
    await store.storeInstallation({
      team: { id: 'T0OTHER', name: 'Other school' },
      enterprise: undefined,
      user: { id: 'U0INSTALLER', token: undefined, scopes: undefined },
      bot: { id: 'B1', userId: 'UB1', token: 'xoxb-secret-other-school', scopes: ['chat:write'] },
      isEnterpriseInstall: false,
      appId: 'A0SENDHUB',
      tokenType: 'bot',
      authVersion: 'v2',
    });
    const row = await h.hub.dbh.db.slackInstallation.findFirst({ where: { teamId: 'T0OTHER' } });
    expect(row?.dataEnc).toBeDefined();
    expect(row?.dataEnc).not.toContain('xoxb-secret');
    const back = await store.fetchInstallation({
      teamId: 'T0OTHER',
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(back.bot?.token).toBe('xoxb-secret-other-school');
    await store.deleteInstallation({
      teamId: 'T0OTHER',
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    await expect(
      store.fetchInstallation({ teamId: 'T0OTHER', enterpriseId: undefined, isEnterpriseInstall: false }),
    ).rejects.toThrow();
    expect(BOT_TOKEN).toMatch(/^xoxb-/);
  });
});

describe.each(providers)('Slack Socket Mode configuration on %s', (provider) => {
  it('with SLACK_APP_TOKEN, uses Socket Mode: no public route, health says socket and not yet connected', async () => {
    const h = await startSlackHub(provider, { SLACK_APP_TOKEN: 'xapp-1-test', SLACK_SIGNING_SECRET: '' });
    try {
      expect(h.slack.config.mode).toBe('socket');
      const r = await fetch(`${h.base}/slack/events`, { method: 'POST', body: '{}' });
      expect(r.status).toBe(404);
      const { body: health } = await healthDetails<{ modules: Record<string, Record<string, unknown>> }>(
        h.base,
      );
      expect(health.modules.slack).toMatchObject({ ok: false, mode: 'socket', socket: { connected: false } });
    } finally {
      await h.close();
    }
  });
});
