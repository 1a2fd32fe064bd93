/**
 * `send-hub slack check`: one auth.test per bot token, now (the single workspace's SLACK_BOT_TOKEN, or each
 * workspace that installed the app), without retrying and without linking anyone: whether each token works
 * and for which workspace, or what Slack answered. Never prints a token.
 */
import type { SlackInstallationStore } from '../../store/slack-installation-store.ts';
import { type SlackApi, slackErrorCode } from './slack-api.ts';

export interface TokenCheck {
  /** '' when the single token failed before Slack said which workspace it is for. */
  teamId: string;
  ok: boolean;
  team?: string;
  botUserId?: string;
  /** Slack's error code (`invalid_auth`, `token_revoked` …) or why Slack could not be reached. */
  error?: string;
}

export async function checkSlackTokens(
  api: SlackApi,
  botToken: string | undefined,
  installations: SlackInstallationStore,
): Promise<TokenCheck[]> {
  const teams = botToken ? [''] : (await installations.teams()).map((t) => t.teamId).filter(Boolean);
  const out: TokenCheck[] = [];
  for (const teamId of teams) {
    try {
      const client = botToken ? api.client(botToken) : await api.forTeam(teamId);
      const r = await client.auth.test();
      out.push({
        teamId: r.team_id ?? teamId,
        ok: true,
        ...(r.team ? { team: r.team } : {}),
        ...(r.user_id ? { botUserId: r.user_id } : {}),
      });
    } catch (err) {
      const platform = slackErrorCode(err);
      const e = err as { code?: string; original?: { code?: string; cause?: { code?: string } } };
      const error = platform
        ? `Slack answered ${platform}`
        : `Slack could not be reached (${e.original?.code ?? e.original?.cause?.code ?? e.code ?? 'error'})`;
      out.push({ teamId, ok: false, error });
    }
  }
  return out;
}

/** The lines `send-hub slack check` prints; `ok` false makes its exit code 1. */
export function tokenCheckLines(checks: TokenCheck[], single: boolean): { lines: string[]; ok: boolean } {
  if (checks.length === 0) {
    return {
      ok: false,
      lines: ['FAIL no workspace has installed the app yet (a school installs it from /slack/install)'],
    };
  }
  const lines = checks.map((c) => {
    const which = c.teamId ? `workspace ${c.team ? `${c.team} ` : ''}(${c.teamId})` : 'SLACK_BOT_TOKEN';
    return c.ok
      ? `ok   ${which}: the bot token works${c.botUserId ? ` (bot user ${c.botUserId})` : ''}`
      : `FAIL ${which}${single && c.teamId ? ' (SLACK_BOT_TOKEN)' : ''}: ${c.error}`;
  });
  return { ok: checks.every((c) => c.ok), lines };
}
