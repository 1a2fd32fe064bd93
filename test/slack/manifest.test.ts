/** The app manifest asks for exactly what the code uses, and points Slack at the URLs the hub serves. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_EVENTS, BOT_SCOPES, SLASH_COMMAND } from '../../bots/slack/scopes.ts';
import { SLACK_EVENTS_PATH } from '../../bots/slack/slack-routes.ts';

const manifest = parse(fs.readFileSync('manifest/slack/manifest.yml', 'utf8'));

describe('Slack app manifest', () => {
  it('requests exactly the scopes the code uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
  });

  it('subscribes to exactly the events the listeners handle, on /slack/events', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe(SLACK_EVENTS_PATH);
  });

  it('sends interactivity and the /send command to the same URL', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(SLACK_EVENTS_PATH);
    const commands = manifest.features.slash_commands as {
      command: string;
      url: string;
      usage_hint: string;
    }[];
    expect(commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    expect(new URL(commands[0]?.url ?? '').pathname).toBe(SLACK_EVENTS_PATH);
    for (const sub of ['help', 'due', 'concern', 'tac', 'digest'])
      expect(commands[0]?.usage_hint).toContain(sub);
  });

  it('enables the Home tab and the OAuth redirect the hub serves', () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(new URL(manifest.oauth_config.redirect_urls[0]).pathname).toBe('/slack/oauth_redirect');
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('lets the web pages sign people in with Slack (OpenID Connect: redirect URL, user scopes)', () => {
    const paths = (manifest.oauth_config.redirect_urls as string[]).map((u) => new URL(u).pathname);
    expect(paths).toContain('/auth/slack/callback');
    expect([...manifest.oauth_config.scopes.user].sort()).toEqual(['email', 'openid', 'profile']);
  });
});
