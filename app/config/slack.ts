/**
 * Slack section of the environment (habit 4). Slack is on when a signing secret (HTTP mode) or an app
 * token (Socket Mode) is given together with either a bot token (one workspace) or OAuth client
 * credentials (many workspaces, installations kept encrypted in the database).
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';

export const slackEnvSchema = z.object({
  /** xoxb- bot token for a single workspace. */
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, { message: 'expected a bot token starting xoxb-' })
    .optional(),
  /** App credentials → Signing Secret; verifies every request to /slack/events. */
  SLACK_SIGNING_SECRET: z.string().min(16, { message: 'expected the app signing secret' }).optional(),
  /** xapp- app-level token with connections:write: turns on Socket Mode (no public URL needed). */
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, { message: 'expected an app token starting xapp-' })
    .optional(),
  SLACK_CLIENT_ID: z.string().optional(),
  SLACK_CLIENT_SECRET: z.string().optional(),
  /** Signs the OAuth `state` parameter (any long random string). */
  SLACK_STATE_SECRET: z.string().min(16, { message: 'expected at least 16 random characters' }).optional(),
  /** Organisation (school/trust id) that a single-workspace install belongs to; default: the only one. */
  SLACK_ORG_ID: z.string().optional(),
});

export interface SlackConfig {
  mode: 'http' | 'socket';
  signingSecret?: string;
  appToken?: string;
  botToken?: string;
  oauth?: { clientId: string; clientSecret: string; stateSecret: string };
  orgId?: string;
}

/**
 * Read the Slack section from the validated variables. Returns null when Slack is not configured;
 * throws a one-line error naming the missing variable when it is half-configured.
 * @example readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's'.repeat(32) })?.mode === 'http'
 */
export function readSlackConfig(raw: Record<string, unknown>): SlackConfig | null {
  const env = slackEnvSchema.parse(raw);
  const anyOAuth = env.SLACK_CLIENT_ID || env.SLACK_CLIENT_SECRET;
  if (!env.SLACK_BOT_TOKEN && !anyOAuth && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) return null;
  const problems: string[] = [];
  if (anyOAuth && !(env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_STATE_SECRET)) {
    problems.push(
      'config error: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are all needed for OAuth installation',
    );
  }
  if (!env.SLACK_BOT_TOKEN && !anyOAuth) {
    problems.push('config error: SLACK_BOT_TOKEN is missing: give a bot token, or OAuth client credentials');
  }
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.push(
      'config error: SLACK_SIGNING_SECRET is missing: needed to verify requests to /slack/events (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (problems.length) throw new DomainError('CONFIG_INVALID', problems.join('\n'));
  return {
    mode: env.SLACK_APP_TOKEN ? 'socket' : 'http',
    ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
    ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
    ...(env.SLACK_BOT_TOKEN ? { botToken: env.SLACK_BOT_TOKEN } : {}),
    ...(env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_STATE_SECRET
      ? {
          oauth: {
            clientId: env.SLACK_CLIENT_ID,
            clientSecret: env.SLACK_CLIENT_SECRET,
            stateSecret: env.SLACK_STATE_SECRET,
          },
        }
      : {}),
    ...(env.SLACK_ORG_ID ? { orgId: env.SLACK_ORG_ID } : {}),
  };
}
