/**
 * Replayed Slack requests (issue 15, point 11). Slack signs each request with its timestamp; the
 * signature stays valid for five minutes, so a captured slash command or button click could be sent again
 * within that window. Slack itself never resends those (it retries only Events API deliveries, which are
 * recognised by their event_id), so a byte-identical copy is refused: 409 on the process that saw the
 * original; on another replica or after a restart, acknowledged and dropped before it runs.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../bots/slack/verify-signature.ts';
import { providers } from '../support/db.ts';
import {
  linkSam,
  postForm,
  postInteraction,
  SECRET,
  type SlackEndpoint,
  type SlackHub,
  type SlackReplica,
  seedSchool,
  startSlackHub,
  startSlackReplica,
  TEAM,
} from './support.ts';

const slashCommand = (text: string) => ({
  token: 'legacy',
  team_id: TEAM,
  team_domain: 'school',
  channel_id: 'C0STAFF',
  channel_name: 'staffroom',
  user_id: 'U0SAM',
  user_name: 'sam',
  command: '/send',
  text,
  api_app_id: 'A0SENDHUB',
  is_enterprise_install: 'false',
  response_url: 'https://hooks.slack.com/commands/T0SCHOOL1/1/abc',
  trigger_id: '1.2.abc',
});

/** A modal submission whose form is unknown to the hub: the listener answers it with a field error. */
const submission = () => ({
  type: 'view_submission',
  team: { id: TEAM, domain: 'school' },
  user: { id: 'U0SAM', username: 'sam', name: 'sam', team_id: TEAM },
  api_app_id: 'A0SENDHUB',
  token: 'legacy',
  trigger_id: '333.444.trigger',
  view: {
    id: 'V1',
    type: 'modal',
    callback_id: 'sh_form',
    private_metadata: '{}',
    hash: 'h1',
    state: { values: {} },
  },
  response_urls: [],
  is_enterprise_install: false,
  enterprise: null,
});

/** The exact headers Slack sent, so a second send is byte-for-byte the same request. */
function captured(h: SlackEndpoint, fields: Record<string, string>) {
  const ts = Math.floor(h.hub.clock.now().getTime() / 1000);
  const raw = new URLSearchParams(fields).toString();
  return { timestamp: ts, signature: signSlackRequest(SECRET, ts, raw) };
}

describe.each(providers)('Slack replayed requests on %s', (provider) => {
  let a: SlackHub;
  let b: SlackReplica | undefined;
  let replies: number;

  beforeEach(async () => {
    a = await startSlackHub(provider);
    await linkSam(a.hub, await seedSchool(a.hub));
    replies = 0;
    nock('https://hooks.slack.com')
      .persist()
      .post('/commands/T0SCHOOL1/1/abc', () => {
        replies++;
        return true;
      })
      .reply(200, 'ok');
  });
  afterEach(async () => {
    await b?.close();
    b = undefined;
    await a.close();
    nock.cleanAll();
  });

  it('a slash command sent again with the same signature is refused with 409 and does not run again', async () => {
    const cmd = slashCommand('help');
    const sig = captured(a, cmd);
    expect((await postForm(a, cmd, sig)).status).toBe(200);
    await a.slack.idle();
    expect(replies).toBe(1);
    const replay = await postForm(a, cmd, sig);
    expect(replay.status).toBe(409);
    expect(replay.json).toEqual({ error: 'replayed request' });
    await a.slack.idle();
    expect(replies).toBe(1);
    const line = a.t.logOut
      .text()
      .split('\n')
      .find((l) => l.includes('replayed request refused'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ kind: 'command' });
    expect(line).not.toContain('help');
    // The same command freshly signed a second later is a new request and runs.
    const next = { timestamp: sig.timestamp + 1 };
    expect((await postForm(a, cmd, next)).status).toBe(200);
    await a.slack.idle();
    expect(replies).toBe(2);
  });

  it('a modal submission sent again is refused with 409 before the form handler sees it', async () => {
    const first = await postInteraction(a, submission());
    expect(first.status).toBe(200);
    const again = await postInteraction(a, submission());
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: 'replayed request' });
  });

  it('a replay reaching another process on the same database is dropped before it runs', async () => {
    const cmd = slashCommand('help');
    const sig = captured(a, cmd);
    expect((await postForm(a, cmd, sig)).status).toBe(200);
    await a.slack.idle();
    expect(replies).toBe(1);
    // Pending receipts are written when a process stops; on PostgreSQL the receipt is claimed before the
    // command runs, so a live replica would see it too.
    if (provider === 'sqlite') await a.hub.modules.find((m) => m.name === 'slack')?.stop?.(a.hub);
    b = await startSlackReplica(a);
    const replay = await postForm(b, cmd, sig);
    expect(replay.status).toBe(200);
    await b.slack.idle();
    expect(replies).toBe(1);
    expect(b.logOut.text()).toContain('replayed request refused (received before)');
    // A modal submission replayed on the other process gets 409 (its answer waits for the check).
    if (provider === 'postgres') {
      const form = submission();
      const fields = { payload: JSON.stringify(form) };
      const s = captured(a, fields);
      expect((await postInteraction(a, form, s)).status).toBe(200);
      expect((await postInteraction(b, form, s)).status).toBe(409);
    }
    // A new command on the other process runs (so the drop above was the receipt's doing).
    expect((await postForm(b, slashCommand('due'))).status).toBe(200);
    await b.slack.idle();
    expect(replies).toBe(2);
  });
});
