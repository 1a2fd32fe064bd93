/**
 * The TAC notes form through the real Teams request formats (Bot Framework activities on /api/messages,
 * signed tokens, Bot Connector stand-in): the notes prompt arrives as a card, its button opens the form
 * card, a submission with an error is shown back, the corrected one is stored, and the summary and the
 * action nudge go out.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { meetingsModule } from '../../app/meetings/meetings-module.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import {
  activity,
  cardOf,
  cardText,
  connector,
  SERVICE_URL,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TENANT,
  type TeamsTestHub,
} from '../teams/support.ts';
import { UPN } from './support.ts';

const JO = { id: '29:jo', aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000003', name: 'Jo Smith' };
const PERSONAL = { id: 'a:personal-jo', conversationType: 'personal' };
const toJo = new RegExp(`^/uk/v3/conversations/${encodeURIComponent(PERSONAL.id)}/activities(/[^/]+)?$`);

type CardAction = { type: string; verb?: string; data?: Record<string, unknown> };

describe.each(providers)('TAC notes through Teams (%s)', (provider) => {
  let t: TeamsTestHub;
  const sent: unknown[] = [];

  beforeAll(async () => {
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider, [meetingsModule()]);
    await t.hub.staff.linkIdentity(t.staff.teacher, 'TEAMS', TENANT, JO.aadObjectId, {
      channelId: 'msteams',
      serviceUrl: SERVICE_URL,
      conversation: { id: PERSONAL.id, conversationType: 'personal', tenantId: TENANT },
      user: JO,
      bot: { id: '28:bot', name: 'SEND Hub' },
    });
    connector()
      .post(toJo, (b) => {
        sent.push(b);
        return true;
      })
      .times(20)
      .reply(200, { id: 'activity-1' });
  });
  afterAll(async () => {
    nock.cleanAll();
    await t?.close();
  });

  it('prompt card → form card → field errors → submitted → summary and nudges', async () => {
    const db = t.hub.dbh.db;
    await db.student.create({
      data: { orgId: t.orgId, upn: UPN, givenName: 'Amelia', familyName: 'Brown', yearGroup: '8' },
    });
    // Yesterday's TAC, organised by Jo, with the DSL attending.
    await syncIcsFeed(t.hub, {
      orgId: t.orgId,
      source: 'jo',
      text: buildIcs([
        {
          uid: 'tac-teams@test.sch.uk',
          summary: `TAC ${UPN}`,
          start: '20261123T100000',
          end: '20261123T110000',
          organizer: 'jo.smith@test.sch.uk',
          attendees: ['jo.smith@test.sch.uk', 'dsl@test.sch.uk'],
        },
      ]),
    });
    await t.tickAndDeliver();
    const promptCard = sent
      .map(cardOf)
      .find((c) => cardText(c).includes('Notes for the Team Around the Child'));
    expect(promptCard).toBeDefined();
    expect(cardText(promptCard)).toContain('A.B. (Y8)');
    expect(cardText(promptCard)).not.toContain('Amelia');
    const open = (promptCard!.actions as CardAction[]).find((a) => a.data?.sh === 'open')!;
    expect(open.data?.formId).toBe('tac_notes');

    const invoke = (verb: string | undefined, data: Record<string, unknown>) =>
      t.post(
        activity('invoke', {
          from: JO,
          conversation: PERSONAL,
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Execute', verb, data } },
        }),
      );
    const before = sent.length;
    expect((await invoke(open.verb, open.data!)).status).toBe(200);
    const formCard = sent.slice(before).map(cardOf)[0] as { body: { id?: string }[]; actions: CardAction[] };
    expect(formCard.body.some((e) => e.id === 'childVoice')).toBe(true);
    // Action rows are grouped in containers; the owner is a choice of the organisation's staff.
    expect(cardText(formCard)).toContain('"id":"actions.0.owner"');
    expect(cardText(formCard)).toContain('dsl@test.sch.uk');
    const submitAction = formCard.actions[0]!;
    const submit = (values: Record<string, string>) =>
      invoke(submitAction.verb, { ...submitAction.data, ...values });

    const values = {
      attendees: 'Jo Smith, Dana Lead, parent',
      childVoice: 'Wants a quiet space at break.',
      workingWell: 'Reading.',
      worries: 'Friendships.',
      'actions.0.what': 'Set up a quiet space',
      'actions.0.owner': 'dsl@test.sch.uk',
      'actions.0.due': '2026-12-04',
      nextMeetingOn: '2027-01-12',
      consent: 'given',
    };
    const bad = await submit({ ...values, worries: '' });
    expect(cardText((bad.body as { value: unknown }).value)).toContain('record the worries');
    const ok = await submit(values);
    const okCard = (ok.body as { value: unknown }).value;
    expect(cardText(okCard)).toContain('Submitted by Jo Smith');
    expect(cardText(okCard)).toContain('Notes submitted');

    const note = await db.tacNote.findFirstOrThrow({ select: { status: true, noteTakerId: true } });
    expect(note).toEqual({ status: 'SUBMITTED', noteTakerId: t.staff.teacher });

    const n = sent.length;
    await t.tickAndDeliver();
    // Teams allows a few messages a second per conversation: the next second the rest goes out.
    t.clock.advance(5_000);
    await t.tickAndDeliver();
    const summaryCard = sent
      .slice(n)
      .map(cardOf)
      .find((c) => cardText(c).includes('notes for A.B. (Y8)'));
    expect(cardText(summaryCard)).toContain('Wants a quiet space at break.');
    // Dana (the DSL) has no Teams identity: her summary and her action nudge go to the console.
    const dana = t.console.transcript().filter((s) => s.staffId === t.staff.dsl);
    expect(dana.map((s) => s.message.kind).sort()).toEqual(['action_nudge', 'tac_summary']);

    // The next meeting agreed in the notes (not in the calendar) is reminded 2 working days before it.
    const m = sent.length;
    t.clock.set('2027-01-08T09:00:00Z');
    await t.tickAndDeliver();
    t.clock.advance(5_000);
    await t.tickAndDeliver();
    expect(sent.slice(m).map((b) => cardText(cardOf(b)))).toEqual([
      expect.stringContaining('Next Team Around the Child meeting for A.B. (Y8): 2027-01-12'),
    ]);
  });
});
