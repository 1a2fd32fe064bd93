/**
 * The same concern through the Slack adapter (issue 6's module, real signed requests on loopback; nock
 * only for the Slack Web API): the DSL's DM carries initials, category and the four buttons and nothing
 * else; pressing Acknowledge in Slack reaches the safeguarding handler and is audited as SLACK.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blocksOf, postInteraction, SLACK, type SlackHub, startSlackHub, TEAM } from '../slack/support.ts';
import { providers } from '../support/db.ts';
import { CONCERN_TEXT, type School, SECRET_STRINGS, seedSchool } from './support.ts';

describe.each(providers)('a concern through Slack on %s', (provider) => {
  let h: SlackHub;
  let s: School;
  beforeEach(async () => {
    h = await startSlackHub(provider);
    s = await seedSchool(h.hub.dbh.db);
    await h.hub.staff.linkIdentity(s.staff.dsl, 'SLACK', TEAM, 'U0DSL', { teamId: TEAM });
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  it('reaches the DSL as a minimal DM and is acknowledged from its button', async () => {
    const posts: { channel: string; blocks: unknown[]; text: string }[] = [];
    nock(SLACK)
      .persist()
      .post('/api/chat.postMessage', (b) => {
        posts.push({ channel: b.channel, blocks: blocksOf(b), text: String(b.text ?? '') });
        return true;
      })
      .reply(200, () => ({ ok: true, channel: 'D0DSL', ts: `1764000000.00${posts.length}` }));
    nock(SLACK).persist().post('/api/chat.update').reply(200, { ok: true });
    const teacher = (await h.hub.staff.actorForStaff(s.staff.teacher))!;
    const outcome = await h.hub.forms.submit(
      teacher,
      {
        formId: 'concern',
        context: {},
        values: {
          student: 'Zephyrine Quillborough',
          category: 'Neglect',
          what: CONCERN_TEXT,
          when: '',
          immediateRisk: 'true',
          actionsTaken: '',
        },
        intent: 'submit',
      },
      'SLACK',
    );
    expect(outcome.ok && outcome.reply).toContain('Dana Lead (DSL)');
    await h.t.tickAndDeliver();
    const dm = posts.find((p) => p.channel === 'U0DSL');
    expect(dm).toBeDefined();
    const wire = JSON.stringify(dm);
    expect(wire).toContain('Z.Q. (Y8)');
    expect(wire).toContain('Neglect');
    for (const secret of SECRET_STRINGS) expect(wire).not.toContain(secret);
    const buttons = (dm!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    expect(buttons.map((b) => b.action_id.split(':')[1])).toEqual([
      'acknowledge',
      'take_ownership',
      'open_record',
      'escalate',
    ]);

    const ack = buttons[0]!;
    const r = await postInteraction(h, {
      type: 'block_actions',
      user: { id: 'U0DSL', username: 'dana', name: 'dana', team_id: TEAM },
      api_app_id: 'A0SENDHUB',
      token: 'legacy',
      container: { type: 'message', message_ts: '1764000000.001', channel_id: 'D0DSL', is_ephemeral: false },
      trigger_id: '111.222.trigger',
      team: { id: TEAM, domain: 'school' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'D0DSL', name: 'directmessage' },
      message: { type: 'message', user: 'UBOT', ts: '1764000000.001', text: 'x', blocks: dm!.blocks },
      response_url: 'https://hooks.slack.com/actions/T0SCHOOL1/1/xyz',
      actions: [
        {
          type: 'button',
          block_id: 'sh_actions_0',
          text: { type: 'plain_text', text: 'Acknowledge' },
          action_ts: '1.1',
          ...ack,
        },
      ],
    });
    expect(r.status).toBe(200);
    await h.slack.idle();
    const c = (await h.hub.dbh.db.concern.findFirst())!;
    expect(c).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedById: s.staff.dsl });
    const acks = await h.hub.dbh.db.auditEvent.findMany({
      where: { subjectId: c.id, action: 'concern.acknowledged' },
    });
    expect(acks.map((a) => a.channel)).toEqual(['SLACK']);
    // Nothing about the child was posted anywhere in Slack.
    await h.t.tickAndDeliver();
    for (const secret of SECRET_STRINGS) expect(JSON.stringify(posts)).not.toContain(secret);
  });
});
