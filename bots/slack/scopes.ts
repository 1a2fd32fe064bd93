/**
 * What the app asks Slack for, in one place: the OAuth install URL and the manifest test both read it.
 * Least privilege: each scope is here for a named call.
 */
export const BOT_SCOPES = [
  'app_mentions:read', // app_mention events
  'chat:write', // chat.postMessage, chat.update, chat.postEphemeral
  'commands', // /send
  'im:history', // message.im events; conversations.history in DMs (reconcile)
  'im:write', // conversations.open (reconcile a DM by user id)
  'channels:history', // conversations.history in public channels (reconcile)
  'groups:history', // conversations.history in private channels (reconcile)
  'users:read', // users.info, users.list
  'users:read.email', // profile email to link staff
] as const;

/** Events the listeners handle (manifest bot_events must equal this). */
export const BOT_EVENTS = ['app_home_opened', 'app_mention', 'app_uninstalled', 'message.im'] as const;

export const SLASH_COMMAND = '/send';
