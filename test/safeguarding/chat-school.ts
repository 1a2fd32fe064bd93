/**
 * Shared set-up of the safeguarding tests that go through the real chat adapters (intake-slack,
 * intake-teams, not-on-roll-chat, outcome-teams): a hub with the safeguarding school seeded, the staff
 * linked to their chat identities, and what the hub sends out recorded (Slack Web API posts and opened
 * modals; Teams connector activities). The caller closes the hub and cleans nock in its afterEach.
 */
import nock from 'nock';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import type { Provider } from '../../store/db.ts';
import { SLACK, type SlackHub, startSlackHub, TEAM } from '../slack/support.ts';
import {
  connector,
  SERVICE_URL,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TENANT,
  type TeamsTestHub,
} from '../teams/support.ts';
import { type School, seedSchool } from './support.ts';

/** The modal Slack opened (views.open), as the tests read it back. */
export type View = {
  blocks: { type: string; block_id?: string }[];
  private_metadata: string;
  callback_id: string;
};

/** A message the hub posted through chat.postMessage. */
export type SlackPost = { channel: string; text: string; blocks: string };

export interface SlackSchool {
  h: SlackHub;
  s: School;
  /** Every chat.postMessage, in order. */
  posts: SlackPost[];
  /** Every modal opened, in order. */
  opened: View[];
}

/**
 * A Slack hub (startSlackHub with `env`) with the school seeded, each of `link` linked as `U0<KEY>`
 * (U0TEACHER, U0DSL …), and chat.postMessage and views.open answered by nock and recorded.
 */
export async function startSlackSchool(
  provider: Provider,
  env: Record<string, string> = {},
  link: (keyof School['staff'])[] = ['teacher', 'dsl'],
): Promise<SlackSchool> {
  const h = await startSlackHub(provider, env);
  const s = await seedSchool(h.hub.dbh.db);
  for (const k of link)
    await h.hub.staff.linkIdentity(s.staff[k], 'SLACK', TEAM, `U0${k.toUpperCase()}`, { teamId: TEAM });
  const posts: SlackPost[] = [];
  const opened: View[] = [];
  nock(SLACK)
    .persist()
    .post('/api/chat.postMessage', (b) => {
      posts.push({
        channel: String(b.channel),
        text: String(b.text ?? ''),
        blocks: String(b.blocks ?? ''),
      });
      return true;
    })
    .reply(200, () => ({
      ok: true,
      channel: 'C',
      ts: `1764000000.${String(posts.length).padStart(6, '0')}`,
    }));
  nock(SLACK)
    .persist()
    .post('/api/views.open', (b) => {
      opened.push(JSON.parse(b.view));
      return true;
    })
    .reply(200, () => ({ ok: true, view: { id: `V${opened.length}` } }));
  return { h, s, posts, opened };
}

/** The slash command `/send concern` as Slack sends it from `channel` (D… a DM, else a channel). */
export const slashConcern = (channel: string, user: string) => ({
  token: 'legacy',
  team_id: TEAM,
  team_domain: 'school',
  channel_id: channel,
  channel_name: channel.startsWith('D') ? 'directmessage' : 'staffroom',
  user_id: user,
  user_name: 'tess',
  command: '/send',
  text: 'concern',
  api_app_id: 'A0SENDHUB',
  is_enterprise_install: 'false',
  response_url: 'https://hooks.slack.com/commands/T0SCHOOL1/1/abc',
  trigger_id: '5.6.concern',
});

/** A Teams user and their personal conversation with the bot. */
export interface TeamsPerson {
  user: { id: string; aadObjectId: string; name: string };
  conversation: { id: string; conversationType: string };
}

/** Tess Teacher (seedSchool's teacher) in Teams. */
export const TESS: TeamsPerson = {
  user: { id: '29:tess', aadObjectId: 'aaaaaaaa-1111-4000-8000-000000000001', name: 'Tess Teacher' },
  conversation: { id: 'a:personal-tess', conversationType: 'personal' },
};

/** Dana Lead (seedSchool's DSL) in Teams. */
export const DANA: TeamsPerson = {
  user: { id: '29:dana', aadObjectId: 'aaaaaaaa-1111-4000-8000-000000000002', name: 'Dana Lead' },
  conversation: { id: 'a:personal-dana', conversationType: 'personal' },
};

/**
 * A Teams hub with the safeguarding module and the school seeded, `staff` linked to `person`'s Teams
 * identity, and every activity the hub posts to a conversation handed to `sent` (answered 200).
 */
export async function startTeamsSchool(
  provider: Provider,
  staff: keyof School['staff'],
  person: TeamsPerson,
  sent: (body: unknown) => void,
): Promise<{ t: TeamsTestHub; s: School }> {
  await serveBotFrameworkKeys();
  serveEntraToken();
  const t = await startTeamsHub(provider, [safeguardingModule()]);
  const s = await seedSchool(t.hub.dbh.db);
  await t.hub.staff.linkIdentity(s.staff[staff], 'TEAMS', TENANT, person.user.aadObjectId, {
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    conversation: { ...person.conversation, tenantId: TENANT },
    user: person.user,
    bot: { id: '28:bot', name: 'SEND Hub' },
  });
  connector()
    .persist()
    .post(/\/v3\/conversations\/.*\/activities/, (b) => {
      sent(b);
      return true;
    })
    .reply(200, { id: 'posted' });
  return { t, s };
}
