/**
 * Roles on the real Slack path: a signed block_actions request (the "Open record" button) from a Slack
 * user linked to each member of staff. The DSL is answered privately with the record; everyone else gets
 * the polite refusal, and the refusal is audited with channel SLACK.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { postInteraction, SLACK, type SlackHub, startSlackHub, TEAM } from '../slack/support.ts';
import { providers } from '../support/db.ts';
import { addStudent, seedSchool } from './seed.ts';

function openRecordClick(userId: string, concernId: string) {
  return {
    type: 'block_actions',
    user: { id: userId, username: userId, name: userId, team_id: TEAM },
    api_app_id: 'A0SENDHUB',
    token: 'legacy',
    container: { type: 'message', message_ts: '1.2', channel_id: `D${userId}`, is_ephemeral: false },
    trigger_id: '111.222.trigger',
    team: { id: TEAM, domain: 'school' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: `D${userId}`, name: 'directmessage' },
    message: { type: 'message', user: 'UBOT', ts: '1.2', text: 'x', blocks: [] },
    response_url: 'https://hooks.slack.com/actions/T0SCHOOL1/1/xyz',
    actions: [
      {
        type: 'button',
        block_id: 'sh_actions_0',
        text: { type: 'plain_text', text: 'Open record' },
        action_ts: '1.1',
        action_id: 'sh:open_record',
        value: JSON.stringify({ v: 'open_record', t: 'concern', i: concernId, a: {} }),
      },
    ],
  };
}

describe.each(providers)('roles on the Slack path on %s', (provider) => {
  let h: SlackHub;
  afterEach(async () => {
    await h?.close();
    nock.cleanAll();
  });

  it('the record goes privately to the DSL only; others are refused politely and audited', async () => {
    h = await startSlackHub(provider);
    const { orgId, staff } = await seedSchool(h.hub);
    const studentId = await addStudent(h.hub, orgId, { givenName: 'Zed', familyName: 'Quill' });
    const safeguarding = h.hub.services.get('safeguarding') as {
      service: { raise(i: unknown): Promise<{ concern: { id: string } }> };
    };
    const { concern } = await safeguarding.service.raise({
      orgId,
      studentId,
      raisedById: staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'neglect',
      immediateRisk: false,
      text: 'Slack-path concern text',
      actionsTaken: '',
      occurredAt: h.hub.clock.now(),
      via: 'SLACK',
    });
    const people = { dsl: 'U0DSL', teacher: 'U0TEACH', sendco: 'U0SENDCO', admin: 'U0ADMIN' } as const;
    for (const [who, userId] of Object.entries(people))
      await h.hub.staff.linkIdentity(staff[who as keyof typeof people], 'SLACK', TEAM, userId, {
        teamId: TEAM,
      });

    for (const [who, userId] of Object.entries(people)) {
      let sent: Record<string, unknown> | undefined;
      const reply = nock(SLACK)
        .post('/api/chat.postMessage', (b) => {
          if (b.channel !== `D${userId}`) return false;
          sent = b;
          return true;
        })
        .reply(200, { ok: true, channel: `D${userId}`, ts: '2.2' });
      const r = await postInteraction(h, openRecordClick(userId, concern.id));
      expect(r.status, who).toBe(200);
      await h.slack.idle();
      expect(reply.isDone(), `${who} was answered privately in their DM`).toBe(true);
      const text = JSON.stringify(sent);
      if (who === 'dsl') expect(text).toContain('Slack-path concern text');
      else {
        expect(text, who).not.toContain('Slack-path concern text');
        expect(text, who).toContain('Sorry, your role does not allow you to open safeguarding records.');
      }
    }
    const events = await h.hub.audit.forSubject('concern', concern.id);
    expect(events.filter((e) => e.action === 'access.denied' && e.channel === 'SLACK')).toHaveLength(3);
    expect(events.filter((e) => e.action === 'concern.record_viewed' && e.channel === 'SLACK')).toHaveLength(
      1,
    );
  });
});
