/**
 * Slack retries across processes: each hub process has its own in-process event map, so only the event's
 * receipt in the database can tell a second process that the event was already received.
 * - On both providers: a retry that reaches the hub after a restart (a new process on the same database)
 *   is recognised.
 * - On PostgreSQL (several replicas; SQLite allows one process per file): each event is processed once,
 *   whichever replica a retry reaches, also when two deliveries reach both replicas at the same moment.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import {
  eventCallback,
  linkSam,
  postJson,
  SLACK,
  type SlackHub,
  type SlackReplica,
  seedSchool,
  startSlackHub,
  startSlackReplica,
} from './support.ts';

describe.each(providers)('Slack retries across a restart on %s', (provider) => {
  let a: SlackHub;
  let b: SlackReplica | undefined;
  let posts: string[];

  beforeEach(async () => {
    a = await startSlackHub(provider);
    await linkSam(a.hub, await seedSchool(a.hub));
    posts = [];
    nock(SLACK)
      .persist()
      .post('/api/chat.postMessage', (body) => {
        posts.push(String(body.text));
        return true;
      })
      .reply(200, { ok: true, channel: 'D0SAM', ts: '7.7' });
  });
  afterEach(async () => {
    await b?.close();
    b = undefined;
    await a.close();
    nock.cleanAll();
  });

  it('a retry reaching the hub after a restart is acknowledged and not processed again', async () => {
    expect((await postJson(a, dm('EvRESTART1'))).status).toBe(200);
    await a.slack.idle();
    expect(posts).toHaveLength(1);
    // The process stops (its pending receipts are written) and a new one starts on the same database.
    await a.hub.modules.find((m) => m.name === 'slack')?.stop?.(a.hub);
    expect(await a.hub.dbh.db.slackEventReceipt.count({ where: { eventId: 'EvRESTART1' } })).toBe(1);
    b = await startSlackReplica(a);
    const retry = await postJson(b, dm('EvRESTART1'), {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    await b.slack.idle();
    expect(posts).toHaveLength(1);
    expect(b.logOut.text()).toContain('already received (by another replica');
    // A new event is processed by the new process (so the refusal above was the receipt's doing).
    expect((await postJson(b, dm('EvRESTART2'))).status).toBe(200);
    await b.slack.idle();
    expect(posts).toHaveLength(2);
  });
});

const dm = (eventId: string, text = 'help') =>
  eventCallback(
    {
      type: 'message',
      channel_type: 'im',
      user: 'U0SAM',
      text,
      ts: '8.8',
      channel: 'D0SAM',
      event_ts: '8.8',
    },
    eventId,
  );

const several = providers.filter((p) => p === 'postgres');

describe.each(several)('Slack retries across two replicas on one %s database', (provider) => {
  let a: SlackHub;
  let b: SlackReplica;
  let posts: string[];

  beforeEach(async () => {
    a = await startSlackHub(provider);
    b = await startSlackReplica(a);
    await linkSam(a.hub, await seedSchool(a.hub));
    posts = [];
    nock(SLACK)
      .persist()
      .post('/api/chat.postMessage', (body) => {
        posts.push(String(body.text));
        return true;
      })
      .reply(200, { ok: true, channel: 'D0SAM', ts: '7.7' });
  });
  afterEach(async () => {
    await b.close();
    await a.close();
    nock.cleanAll();
  });

  const dm = (eventId: string, text = 'help') =>
    eventCallback(
      {
        type: 'message',
        channel_type: 'im',
        user: 'U0SAM',
        text,
        ts: '8.8',
        channel: 'D0SAM',
        event_ts: '8.8',
      },
      eventId,
    );
  const receipts = (eventId: string) => a.hub.dbh.db.slackEventReceipt.count({ where: { eventId } });

  it('a retry that reaches the other replica is acknowledged and not processed again', async () => {
    expect((await postJson(a, dm('EvREPLICA1'))).status).toBe(200);
    await a.slack.idle();
    expect(posts).toHaveLength(1);
    expect(await receipts('EvREPLICA1')).toBe(1);

    const retry = await postJson(b, dm('EvREPLICA1'), {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    await b.slack.idle();
    expect(posts).toHaveLength(1);
    expect(b.logOut.text()).toContain('already received (by another replica');

    // The second replica does process events it has not seen (so the refusal above was the receipt's doing).
    expect((await postJson(b, dm('EvREPLICA2'))).status).toBe(200);
    await b.slack.idle();
    expect(posts).toHaveLength(2);
  });

  it('two deliveries of one event reaching both replicas at once are processed once', async () => {
    const [r1, r2] = await Promise.all([
      postJson(a, dm('EvREPLICA3')),
      postJson(b, dm('EvREPLICA3'), { headers: { 'x-slack-retry-num': '1' } }),
    ]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    await Promise.all([a.slack.idle(), b.slack.idle()]);
    expect(posts).toHaveLength(1);
    expect(await receipts('EvREPLICA3')).toBe(1);
  });

  it('events received together are all processed, one receipt each', async () => {
    const ids = ['EvBATCH1', 'EvBATCH2', 'EvBATCH3', 'EvBATCH4'];
    const answers = await Promise.all(ids.map((id, i) => postJson(i % 2 ? b : a, dm(id))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await Promise.all([a.slack.idle(), b.slack.idle()]);
    expect(posts).toHaveLength(4);
    for (const id of ids) expect(await receipts(id)).toBe(1);
  });
});
