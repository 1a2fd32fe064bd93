/**
 * /slack/events on loopback with genuinely signed, real-format requests: signature rules, URL
 * verification, slash command, mentions, DMs, retries processed once, and linking staff by email.
 */
import http from 'node:http';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../bots/slack/verify-signature.ts';
import { providers } from '../support/db.ts';
import {
  blocksOf,
  eventCallback,
  linkSam,
  nockUserInfo,
  postForm,
  postJson,
  type School,
  SECRET,
  SLACK,
  type SlackHub,
  seedSchool,
  startSlackHub,
  TEAM,
} from './support.ts';

/** A signed JSON body sent in two chunks without Content-Length (chunked): the Express route's way in. */
function postChunked(h: SlackHub, body: unknown): Promise<{ status: number; noRetry: boolean }> {
  const raw = JSON.stringify(body);
  const ts = Math.floor(h.hub.clock.now().getTime() / 1000);
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${h.base}/slack/events`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': signSlackRequest(SECRET, ts, raw),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, noRetry: res.headers['x-slack-no-retry'] === '1' }),
        );
      },
    );
    req.on('error', reject);
    req.write(raw.slice(0, 10));
    req.end(raw.slice(10));
  });
}

const slashCommand = (text: string, user = 'U0SAM') => ({
  token: 'legacy',
  team_id: TEAM,
  team_domain: 'school',
  channel_id: 'C0STAFF',
  channel_name: 'staffroom',
  user_id: user,
  user_name: 'sam',
  command: '/send',
  text,
  api_app_id: 'A0SENDHUB',
  is_enterprise_install: 'false',
  response_url: 'https://hooks.slack.com/commands/T0SCHOOL1/1/abc',
  trigger_id: '1.2.abc',
});

describe.each(providers)('Slack /slack/events on %s', (provider) => {
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

  const auditCount = () => h.hub.dbh.db.auditEvent.count();

  it('answers url_verification with the challenge', async () => {
    const r = await postJson(h, { token: 't', challenge: 'c-123', type: 'url_verification' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ challenge: 'c-123' });
  });

  it('answers a signed event_callback whose event is not an object with 400 and no side effect', async () => {
    const before = await auditCount();
    const outboxBefore = await h.hub.dbh.db.outboxMessage.count();
    for (const event of ['message', null, [1, 2], 42]) {
      const r = await postJson(h, {
        token: 't',
        team_id: TEAM,
        api_app_id: 'A0SENDHUB',
        type: 'event_callback',
        event_id: `Ev0BAD${String(event)}`,
        event_time: 1,
        event,
      });
      expect(r.status).toBe(400);
    }
    expect(await auditCount()).toBe(before);
    expect(await h.hub.dbh.db.outboxMessage.count()).toBe(outboxBefore);
    // The same request with a real event object is still processed (so the 400 was the event's doing).
    const ok = await postJson(h, eventCallback({ type: 'reaction_added', user: 'U0SAM', reaction: 'eyes' }));
    expect(ok.status).toBe(200);
  });

  it('refuses a bad signature, a stale timestamp and a missing header with 401 and no side effect', async () => {
    await linkSam(h.hub, school);
    const before = await auditCount();
    const reply = nock('https://hooks.slack.com').post('/commands/T0SCHOOL1/1/abc').reply(200, 'ok');
    const cmd = slashCommand('help');
    const bad = await postForm(h, cmd, { signature: `v0=${'0'.repeat(64)}` });
    const staleTs = Math.floor(h.hub.clock.now().getTime() / 1000) - 6 * 60;
    const stale = await postForm(h, cmd, { timestamp: staleTs });
    const noSig = await postForm(h, cmd, { omit: ['signature'] });
    const noTs = await postForm(h, cmd, { omit: ['timestamp'] });
    for (const r of [bad, stale, noSig, noTs]) expect(r.status).toBe(401);
    // A challenge is not echoed without a valid signature either.
    expect(
      (await postJson(h, { type: 'url_verification', challenge: 'x' }, { signature: 'v0=ab' })).status,
    ).toBe(401);
    await h.slack.idle();
    expect(await auditCount()).toBe(before);
    // The command never ran: its reply was not sent.
    expect(reply.isDone()).toBe(false);
    // The same request correctly signed does run (so the refusals above were the signature's doing).
    expect((await postForm(h, cmd)).status).toBe(200);
    await h.slack.idle();
    expect(reply.isDone()).toBe(true);
    expect(h.t.logOut.text()).toContain('request refused');
  });

  it('/send help replies privately through the response_url; unknown text gets help too', async () => {
    await linkSam(h.hub, school);
    const replies: { response_type?: string; text?: string; blocks?: unknown[] }[] = [];
    nock('https://hooks.slack.com')
      .post('/commands/T0SCHOOL1/1/abc', (b) => {
        replies.push(b);
        return true;
      })
      .times(2)
      .reply(200, 'ok');
    const r1 = await postForm(h, slashCommand('help'));
    expect(r1.status).toBe(200);
    const r2 = await postForm(h, slashCommand('what is this'));
    expect(r2.status).toBe(200);
    await h.slack.idle();
    expect(replies).toHaveLength(2);
    for (const reply of replies) {
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toContain('SEND Hub: what I can do');
      expect(JSON.stringify(reply.blocks)).toContain('due');
    }
  });

  it('/send reaches every subcommand: help, due, concern (a modal), tac, digest', async () => {
    await linkSam(h.hub, school);
    const replies: string[] = [];
    nock('https://hooks.slack.com')
      .persist()
      .post('/commands/T0SCHOOL1/1/abc', (b) => {
        replies.push(String(b.text));
        return true;
      })
      .reply(200, 'ok');
    let opened: { callback_id: string; private_metadata: string } | undefined;
    nock(SLACK)
      .post('/api/views.open', (b) => {
        opened = JSON.parse(b.view);
        return b.trigger_id === '1.2.abc';
      })
      .reply(200, { ok: true });
    for (const sub of ['help', 'due', 'tac', 'digest']) {
      expect((await postForm(h, slashCommand(sub))).status).toBe(200);
      await h.slack.idle();
    }
    expect(replies).toHaveLength(4);
    expect(replies[0]).toContain('what I can do');
    // Each subcommand answered with its own reply, not the help text.
    for (const r of replies.slice(1)) expect(r).not.toContain('what I can do');
    expect((await postForm(h, slashCommand('concern'))).status).toBe(200);
    await h.slack.idle();
    expect(opened?.callback_id).toBe('sh_form');
    expect(JSON.parse(opened?.private_metadata ?? '{}').f).toBe('concern');
  });

  it('links an unknown Slack user by profile email on first contact, and tells the admin about strangers', async () => {
    const info = nockUserInfo('U0SAM', 'Sam@School.example');
    nock('https://hooks.slack.com').post('/commands/T0SCHOOL1/1/abc').reply(200, 'ok');
    expect((await postForm(h, slashCommand('due'))).status).toBe(200);
    await h.slack.idle();
    expect(info.isDone()).toBe(true);
    const actor = await h.hub.staff.actorFor('SLACK', TEAM, 'U0SAM');
    expect(actor?.staffId).toBe(school.sam.staffId);
    const linked = await h.hub.dbh.db.auditEvent.findFirst({ where: { action: 'identity.linked' } });
    expect(linked?.subjectId).toBe(school.sam.staffId);

    // A member whose email matches nobody: told privately, and the admin gets a notice in the outbox.
    nockUserInfo('U0STRANGER', 'someone@elsewhere.example', 'Stan Ger');
    let told = '';
    nock('https://hooks.slack.com')
      .post('/commands/T0SCHOOL1/1/abc', (b) => {
        told = b.text;
        return true;
      })
      .reply(200, 'ok');
    await postForm(h, slashCommand('due', 'U0STRANGER'));
    await h.slack.idle();
    expect(told).toContain('could not match your Slack account');
    const notices = await h.hub.dbh.db.outboxMessage.findMany({
      where: { recipientId: school.admin.staffId },
    });
    expect(notices).toHaveLength(1);
  });

  it('answers an @mention privately (ephemeral) and a DM in the DM', async () => {
    await linkSam(h.hub, school);
    const eph = nock(SLACK)
      .post('/api/chat.postEphemeral', (b) => b.channel === 'C0STAFF' && b.user === 'U0SAM')
      .reply(200, { ok: true, message_ts: '1.1' });
    const mention = eventCallback({
      type: 'app_mention',
      user: 'U0SAM',
      text: '<@UBOT> help',
      ts: '1764000000.000100',
      channel: 'C0STAFF',
      event_ts: '1764000000.000100',
    });
    expect((await postJson(h, mention)).status).toBe(200);
    const dm = nock(SLACK)
      .post('/api/chat.postMessage', (b) => b.channel === 'D0SAM' && String(b.text).includes('what I can do'))
      .reply(200, { ok: true, channel: 'D0SAM', ts: '2.2' });
    const im = eventCallback({
      type: 'message',
      channel_type: 'im',
      user: 'U0SAM',
      text: 'help',
      ts: '1764000001.000100',
      channel: 'D0SAM',
      event_ts: '1764000001.000100',
    });
    expect((await postJson(h, im)).status).toBe(200);
    await h.slack.idle();
    expect(eph.isDone()).toBe(true);
    expect(dm.isDone()).toBe(true);
  });

  it('processes an event once when Slack retries it (X-Slack-Retry-Num)', async () => {
    await linkSam(h.hub, school);
    let posts = 0;
    nock(SLACK)
      .post('/api/chat.postMessage', () => {
        posts++;
        return true;
      })
      .times(3)
      .reply(200, { ok: true, channel: 'D0SAM', ts: '3.3' });
    const im = eventCallback(
      {
        type: 'message',
        channel_type: 'im',
        user: 'U0SAM',
        text: 'help',
        ts: '5.5',
        channel: 'D0SAM',
        event_ts: '5.5',
      },
      'EvRETRY1',
    );
    expect((await postJson(h, im)).status).toBe(200);
    const retry = await postJson(h, im, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    await postJson(h, im, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    await h.slack.idle();
    expect(posts).toBe(1);
  });

  it('answers a mention with a declared length (before Express) and a chunked one (through Express) alike, each once', async () => {
    await linkSam(h.hub, school);
    let replies = 0;
    nock(SLACK)
      .post('/api/chat.postEphemeral', (b) => b.channel === 'C0STAFF' && b.user === 'U0SAM')
      .times(3)
      .reply(200, () => {
        replies++;
        return { ok: true, message_ts: '1.1' };
      });
    const mention = (n: number) =>
      eventCallback({
        type: 'app_mention',
        user: 'U0SAM',
        text: '<@UBOT> help',
        ts: `1764000002.00010${n}`,
        channel: 'C0STAFF',
        event_ts: `1764000002.00010${n}`,
      });
    const declared = mention(1);
    const chunked = mention(2);
    expect((await postJson(h, declared)).status).toBe(200);
    expect(await postChunked(h, chunked)).toEqual({ status: 200, noRetry: false });
    // The same deliveries again, each the other way in: acknowledged as duplicates, not answered again.
    expect(await postChunked(h, declared)).toEqual({ status: 200, noRetry: true });
    expect((await postJson(h, chunked)).status).toBe(200);
    // A bad signature is refused whichever way it comes.
    expect((await postJson(h, mention(3), { signature: 'v0=00' })).status).toBe(401);
    await h.slack.idle();
    expect(replies).toBe(2);
  });

  it('renders a reply as Block Kit within limits', async () => {
    await linkSam(h.hub, school);
    let blocks: { type: string }[] = [];
    nock(SLACK)
      .post('/api/chat.postMessage', (b) => {
        blocks = blocksOf(b);
        return true;
      })
      .reply(200, { ok: true, channel: 'D0SAM', ts: '3.3' });
    await postJson(
      h,
      eventCallback({
        type: 'message',
        channel_type: 'im',
        user: 'U0SAM',
        text: 'due',
        ts: '6.6',
        channel: 'D0SAM',
      }),
    );
    await h.slack.idle();
    expect(blocks[0]?.type).toBe('header');
    expect(blocks.length).toBeLessThanOrEqual(50);
  });
});
