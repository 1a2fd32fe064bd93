/**
 * Multi-workspace installation: /slack/install → Slack → /slack/oauth_redirect stores the installation
 * (bot token encrypted in SlackInstallation), and later requests from that workspace are answered with
 * that workspace's own token.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { eventCallback, postJson, SLACK, type SlackHub, seedSchool, startSlackHub } from './support.ts';

describe.each(providers)('Slack OAuth installation on %s', (provider) => {
  let h: SlackHub;
  beforeEach(async () => {
    h = await startSlackHub(provider, {
      SLACK_BOT_TOKEN: '',
      SLACK_CLIENT_ID: '1234.5678',
      SLACK_CLIENT_SECRET: 'client-secret-abc',
      SLACK_STATE_SECRET: 'state-secret-0123456789abcdef',
    });
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  it('installs a second workspace and answers it with its own token', async () => {
    const install = await fetch(`${h.base}/slack/install`);
    expect(install.status).toBe(200);
    const html = await install.text();
    const url = new URL(
      /href="(https:\/\/slack\.com\/oauth[^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? '',
    );
    expect(url.host).toBe('slack.com');
    expect(url.searchParams.get('client_id')).toBe('1234.5678');
    expect(url.searchParams.get('scope')).toContain('chat:write');
    const state = url.searchParams.get('state') ?? '';
    const cookie = install.headers.get('set-cookie')?.split(';')[0] ?? '';

    nock(SLACK)
      .post('/api/oauth.v2.access', (b) => b.code === 'code-1' && b.client_id === '1234.5678')
      .reply(200, {
        ok: true,
        app_id: 'A0SENDHUB',
        authed_user: { id: 'U0ADMIN' },
        scope: 'chat:write,commands',
        token_type: 'bot',
        access_token: 'xoxb-installed-other-school',
        bot_user_id: 'UBOT2',
        team: { id: 'T0OTHER', name: 'Other school' },
        enterprise: null,
        is_enterprise_install: false,
      });
    nock(SLACK)
      .post('/api/auth.test')
      .reply(200, { ok: true, team_id: 'T0OTHER', user_id: 'UBOT2', bot_id: 'B2' });
    const back = await fetch(
      `${h.base}/slack/oauth_redirect?code=code-1&state=${encodeURIComponent(state)}`,
      {
        headers: { cookie },
      },
    );
    expect(back.status).toBe(200);
    expect(await back.text()).toContain('installed');
    const row = await h.hub.dbh.db.slackInstallation.findFirst({ where: { teamId: 'T0OTHER' } });
    expect(row?.dataEnc).not.toContain('xoxb-installed');
    expect(await h.hub.dbh.db.auditEvent.count({ where: { action: 'slack.installed' } })).toBe(1);

    // An event from that workspace is handled with its own token.
    const school = await seedSchool(h.hub);
    await h.hub.staff.linkIdentity(school.sam.staffId, 'SLACK', 'T0OTHER', 'U0SAM2', {});
    const publish = nock(SLACK, { reqheaders: { authorization: 'Bearer xoxb-installed-other-school' } })
      .post('/api/views.publish')
      .reply(200, { ok: true });
    const ev = {
      ...eventCallback({ type: 'app_home_opened', user: 'U0SAM2', tab: 'home', event_ts: '1.1' }),
      team_id: 'T0OTHER',
      authorizations: [{ team_id: 'T0OTHER', user_id: 'UBOT2', is_bot: true, is_enterprise_install: false }],
    };
    expect((await postJson(h, ev)).status).toBe(200);
    await h.slack.idle();
    expect(publish.isDone()).toBe(true);
  });

  it('refuses a callback whose state was not issued by this hub', async () => {
    const r = await fetch(`${h.base}/slack/oauth_redirect?code=x&state=forged`);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(await h.hub.dbh.db.slackInstallation.count()).toBe(0);
  });
});
