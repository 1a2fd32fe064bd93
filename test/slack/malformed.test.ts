/**
 * Malformed but correctly signed Slack requests (issue 15, point 12): every interaction payload, slash
 * command and Events API envelope is checked against Slack's documented shape before Bolt sees it, so
 * what Bolt cannot read (`"view": null`) is a 400 naming the field, never a 500 and never a side effect.
 * The answer and the log line name the field and the rule, not the value (it can hold a child's details).
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import {
  linkSam,
  postForm,
  postInteraction,
  postJson,
  type SlackHub,
  seedSchool,
  startSlackHub,
  TEAM,
} from './support.ts';

const SECRET_TEXT = 'Disclosure about a named pupil at break time';

const user = { id: 'U0SAM', username: 'sam', name: 'sam', team_id: TEAM };
const submission = (view: unknown) => ({
  type: 'view_submission',
  team: { id: TEAM, domain: 'school' },
  user,
  api_app_id: 'A0SENDHUB',
  token: 'legacy',
  trigger_id: '333.444.trigger',
  view,
  response_urls: [],
  is_enterprise_install: false,
  enterprise: null,
});
const goodView = {
  id: 'V1',
  type: 'modal',
  callback_id: 'sh_form',
  private_metadata: '{}',
  state: { values: {} },
};
const blockActions = (actions: unknown) => ({
  type: 'block_actions',
  user,
  team: { id: TEAM, domain: 'school' },
  api_app_id: 'A0SENDHUB',
  trigger_id: '111.222.trigger',
  container: { type: 'message', message_ts: '9.9', channel_id: 'D0SAM' },
  channel: { id: 'D0SAM', name: 'directmessage' },
  response_url: 'https://hooks.slack.com/actions/T0SCHOOL1/1/xyz',
  actions,
});

describe.each(providers)('Slack malformed signed requests on %s', (provider) => {
  let h: SlackHub;

  beforeEach(async () => {
    h = await startSlackHub(provider);
    await linkSam(h.hub, await seedSchool(h.hub));
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  it('answers a view_submission with "view": null with 400 naming the field, and the well-formed one with 200', async () => {
    const audit = await h.hub.dbh.db.auditEvent.count();
    const r = await postInteraction(h, submission(null));
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'malformed request: view_submission: field "view" invalid_type' });
    await h.slack.idle();
    expect(await h.hub.dbh.db.auditEvent.count()).toBe(audit);
    expect(h.t.logOut.text()).toContain('slack: malformed request refused');
    expect(h.t.logOut.text()).not.toContain('processing failed');
    // The same submission with a view reaches the form handler (so the 400 was the shape's doing).
    expect((await postInteraction(h, submission(goodView))).status).toBe(200);
  });

  it('refuses every malformed interaction, command and envelope with 400 and never echoes a value', async () => {
    const cases: [string, () => Promise<{ status: number; text: string }>][] = [
      ['view without state', () => postInteraction(h, submission({ ...goodView, state: undefined }))],
      [
        'state value not an object',
        () =>
          postInteraction(h, submission({ ...goodView, state: { values: { what: { v: SECRET_TEXT } } } })),
      ],
      ['view_submission without user', () => postInteraction(h, { ...submission(goodView), user: null })],
      ['block_actions without actions', () => postInteraction(h, blockActions(undefined))],
      ['block_actions with no action', () => postInteraction(h, blockActions([]))],
      [
        'action without action_id',
        () => postInteraction(h, blockActions([{ type: 'button', value: SECRET_TEXT }])),
      ],
      ['unknown interaction type', () => postInteraction(h, { type: 'dialog_submission', user })],
      ['payload that is an array', () => postForm(h, { payload: JSON.stringify([1]) })],
      [
        'slash command without command',
        () => postForm(h, { text: SECRET_TEXT, team_id: TEAM, user_id: 'U0SAM', channel_id: 'C1' }),
      ],
      [
        'slash command with a non-https response_url',
        () =>
          postForm(h, {
            command: '/send',
            text: 'help',
            team_id: TEAM,
            user_id: 'U0SAM',
            channel_id: 'C1',
            trigger_id: '1.2',
            response_url: 'http://attacker.example/x',
          }),
      ],
      [
        'event_callback with a null event',
        () => postJson(h, { type: 'event_callback', event_id: 'Ev1', event: null }),
      ],
      [
        'event without type',
        () => postJson(h, { type: 'event_callback', event_id: 'Ev2', event: { text: SECRET_TEXT } }),
      ],
      ['unknown JSON type', () => postJson(h, { type: 'block_actions', actions: [] })],
    ];
    for (const [name, send] of cases) {
      const r = await send();
      expect(r.status, name).toBe(400);
      expect((JSON.parse(r.text) as { error: string }).error, name).toMatch(
        /^malformed request: .+ field "[^"]*" \w+$|^unreadable body$/,
      );
      expect(r.text, name).not.toContain('Disclosure');
    }
    await h.slack.idle();
    expect(h.t.logOut.text()).not.toContain('Disclosure');
    expect(h.t.logOut.text()).not.toContain('processing failed');
  });
});
