/**
 * Roles on the real Teams path: an authenticated Action.Execute invoke (the "Open record" card button)
 * through /api/messages from each member of staff. Only the DSL sees the record; the others get the polite
 * refusal, audited with channel TEAMS.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { providers } from '../support/db.ts';
import {
  activity,
  connector,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TENANT,
  type TeamsTestHub,
} from '../teams/support.ts';
import { addStudent } from './seed.ts';

describe.each(providers)('roles on the Teams path on %s', (provider) => {
  let t: TeamsTestHub;
  afterEach(async () => {
    await t?.close();
    nock.cleanAll();
  });

  it('the record is shown to the DSL only; the admin and a teacher are refused politely and audited', async () => {
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider, [safeguardingModule()]);
    const studentId = await addStudent(t.hub, t.orgId, { givenName: 'Zed', familyName: 'Quill' });
    const safeguarding = t.hub.services.get('safeguarding') as {
      service: { raise(i: unknown): Promise<{ concern: { id: string } }> };
    };
    // Deliveries triggered by the concern (escalation to the DSL) go to the Bot Connector.
    const sent: string[] = [];
    connector()
      .persist()
      .post(/.*/, (b) => {
        sent.push(JSON.stringify(b));
        return true;
      })
      .reply(200, { id: 'activity-1' });
    const { concern } = await safeguarding.service.raise({
      orgId: t.orgId,
      studentId,
      raisedById: t.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'neglect',
      immediateRisk: false,
      text: 'Teams-path concern text',
      actionsTaken: '',
      occurredAt: t.hub.clock.now(),
      via: 'TEAMS',
    });
    const users = {
      dsl: { id: '29:dsl', aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Dana Lead' },
      admin: { id: '29:admin', aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'Alex Admin' },
      teacher: { id: '29:jo', aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000003', name: 'Jo Smith' },
    };
    for (const [who, u] of Object.entries(users))
      await t.hub.staff.linkIdentity(t.staff[who as keyof typeof users], 'TEAMS', TENANT, u.aadObjectId, {
        serviceUrl: 'https://smba.trafficmanager.net/uk/',
        conversationId: `a:personal-${who}`,
      });
    for (const [who, u] of Object.entries(users)) {
      const before = sent.length;
      const r = await t.post(
        activity('invoke', {
          from: u,
          conversation: { id: `a:personal-${who}`, conversationType: 'personal' },
          name: 'adaptiveCard/action',
          value: {
            action: {
              type: 'Action.Execute',
              verb: 'sendhub.action',
              data: {
                sh: 'action',
                verb: 'open_record',
                subjectType: 'concern',
                subjectId: concern.id,
                args: {},
              },
            },
          },
          replyToId: 'card-1',
        }),
      );
      expect(r.status, who).toBe(200);
      const shown = JSON.stringify(r.body) + sent.slice(before).join('');
      if (who === 'dsl') expect(shown).toContain('Teams-path concern text');
      else {
        expect(shown, who).not.toContain('Teams-path concern text');
        expect(shown, who).toContain('Sorry, your role does not allow you to open safeguarding records.');
      }
    }
    const events = await t.hub.audit.forSubject('concern', concern.id);
    expect(events.filter((e) => e.action === 'access.denied' && e.channel === 'TEAMS')).toHaveLength(2);
    expect(events.filter((e) => e.action === 'concern.record_viewed' && e.channel === 'TEAMS')).toHaveLength(
      1,
    );
  });
});
