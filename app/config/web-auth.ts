/**
 * Web sign-in (issue 17): OpenID Connect with Entra ID and "Sign in with Slack", and the Teams tab's SSO.
 * Each method is on only when its credentials are known; the Entra ones fall back to the Teams bot's app
 * registration (MicrosoftAppId / MicrosoftAppPassword / MicrosoftAppTenantId) and the Slack ones to the
 * Slack app's OAuth credentials (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET). Redirect URIs are made from
 * PUBLIC_URL. docs/web.md "Signing in" has the app registration steps.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';

const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    message: 'expected a GUID such as 00000000-0000-0000-0000-000000000000',
  });

const httpUrl = z
  .string()
  .trim()
  .url({ message: 'expected an absolute URL' })
  .refine((u) => /^https?:\/\//.test(u), { message: 'expected an http(s) URL' });

export const webAuthEnvSchema = z.object({
  /** Entra app registration (client) id for browser sign-in and the Teams tab; default MicrosoftAppId. */
  WEB_ENTRA_CLIENT_ID: guid.optional(),
  /** Its client secret; default MicrosoftAppPassword. */
  WEB_ENTRA_CLIENT_SECRET: z.string().min(1).optional(),
  /** The school's or LA's directory (tenant) id; default MicrosoftAppTenantId. */
  WEB_ENTRA_TENANT_ID: guid.optional(),
  /** Entra's sign-in host (default https://login.microsoftonline.com); tests point it at a loopback provider. */
  WEB_ENTRA_AUTHORITY: httpUrl.optional(),
  /** "Sign in with Slack" client id and secret; default SLACK_CLIENT_ID / SLACK_CLIENT_SECRET. */
  WEB_SLACK_CLIENT_ID: z.string().min(1).optional(),
  WEB_SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  /** Slack's OpenID issuer (default https://slack.com); tests point it at a loopback provider. */
  WEB_SLACK_ISSUER: httpUrl.optional(),
});

export interface OidcClientConfig {
  id: 'entra' | 'slack';
  label: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
  /** http:// issuer on loopback (tests, never production). */
  insecure: boolean;
}

export interface TeamsSsoConfig {
  clientId: string;
  tenantId: string;
  /** Where Entra's signing keys are. */
  jwksUrl: string;
  /** Issuers Entra writes into tokens for this tenant (v1 and v2). */
  issuers: string[];
  /** Audiences the tab's token may carry: api://<host>/[botid-]<client id> and the client id. */
  audiences: string[];
  insecure: boolean;
}

export interface WebAuthConfig {
  publicUrl: string | null;
  entra: OidcClientConfig | null;
  slack: OidcClientConfig | null;
  teamsSso: TeamsSsoConfig | null;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

/**
 * The sign-in methods that are configured. Throws a CONFIG_INVALID error naming each variable that is
 * missing or wrong when a method is half-configured (e.g. WEB_ENTRA_CLIENT_ID without any secret).
 */
export function readWebAuthConfig(raw: Record<string, unknown>, production: boolean): WebAuthConfig {
  const env = webAuthEnvSchema.parse(
    Object.fromEntries(Object.entries(raw).filter(([k]) => k in webAuthEnvSchema.shape)),
  );
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const publicUrl = str('PUBLIC_URL')?.replace(/\/+$/, '') ?? null;
  const problems: string[] = [];
  const insecureOk = (name: string, url: string): boolean => {
    if (url.startsWith('https://')) return false;
    if (!production && LOOPBACK.test(url)) return true;
    problems.push(
      `config error: ${name} is "${url}": expected an https URL (http only on loopback, not in production)`,
    );
    return false;
  };

  const entraId = env.WEB_ENTRA_CLIENT_ID ?? str('MicrosoftAppId');
  const entraSecret = env.WEB_ENTRA_CLIENT_SECRET ?? str('MicrosoftAppPassword');
  const tenant = env.WEB_ENTRA_TENANT_ID ?? str('MicrosoftAppTenantId');
  const explicitEntra = env.WEB_ENTRA_CLIENT_ID || env.WEB_ENTRA_CLIENT_SECRET || env.WEB_ENTRA_TENANT_ID;
  let entra: OidcClientConfig | null = null;
  let teamsSso: TeamsSsoConfig | null = null;
  // Borrowed from the Teams bot only when it has all three (a UserAssignedMSI bot has no secret: then off).
  if (entraId && tenant && (explicitEntra || (publicUrl && entraSecret))) {
    const authority = (env.WEB_ENTRA_AUTHORITY ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    const insecure = insecureOk('WEB_ENTRA_AUTHORITY', authority);
    const issuer = `${authority}/${tenant.toLowerCase()}/v2.0`;
    if (!publicUrl)
      problems.push('config error: PUBLIC_URL is missing: Entra sign-in needs it for its redirect URI');
    if (!entraSecret)
      problems.push(
        'config error: WEB_ENTRA_CLIENT_SECRET is missing: Entra sign-in needs the app registration’s client secret (or MicrosoftAppPassword)',
      );
    if (publicUrl && entraSecret) {
      entra = {
        id: 'entra',
        label: 'Sign in with Microsoft',
        issuer,
        clientId: entraId,
        clientSecret: entraSecret,
        redirectUri: `${publicUrl}/auth/entra/callback`,
        scope: 'openid profile email',
        insecure,
      };
      teamsSso = {
        clientId: entraId,
        tenantId: tenant.toLowerCase(),
        jwksUrl: `${authority}/${tenant.toLowerCase()}/discovery/v2.0/keys`,
        issuers: [`https://sts.windows.net/${tenant.toLowerCase()}/`, issuer],
        // api://<host>/<id>, or api://<host>/botid-<id> when the bot's registration serves the tab too.
        audiences: [
          `api://${new URL(publicUrl).host}/${entraId}`,
          `api://${new URL(publicUrl).host}/botid-${entraId}`,
          entraId,
        ],
        insecure,
      };
    }
  } else if (explicitEntra) {
    if (!entraId)
      problems.push(
        'config error: WEB_ENTRA_CLIENT_ID is missing: Entra sign-in needs the app registration’s client id',
      );
    if (!tenant)
      problems.push(
        'config error: WEB_ENTRA_TENANT_ID is missing: Entra sign-in needs the directory (tenant) id',
      );
  }

  const slackId = env.WEB_SLACK_CLIENT_ID ?? str('SLACK_CLIENT_ID');
  const slackSecret = env.WEB_SLACK_CLIENT_SECRET ?? str('SLACK_CLIENT_SECRET');
  const explicitSlack = env.WEB_SLACK_CLIENT_ID || env.WEB_SLACK_CLIENT_SECRET;
  let slack: OidcClientConfig | null = null;
  if ((slackId || slackSecret) && (publicUrl || explicitSlack)) {
    const issuer = (env.WEB_SLACK_ISSUER ?? 'https://slack.com').replace(/\/+$/, '');
    const insecure = insecureOk('WEB_SLACK_ISSUER', issuer);
    if (!slackId)
      problems.push(
        'config error: WEB_SLACK_CLIENT_ID is missing: Sign in with Slack needs the app’s client id',
      );
    if (!slackSecret)
      problems.push(
        'config error: WEB_SLACK_CLIENT_SECRET is missing: Sign in with Slack needs the app’s client secret',
      );
    if (!publicUrl)
      problems.push('config error: PUBLIC_URL is missing: Sign in with Slack needs it for its redirect URL');
    if (slackId && slackSecret && publicUrl) {
      slack = {
        id: 'slack',
        label: 'Sign in with Slack',
        issuer,
        clientId: slackId,
        clientSecret: slackSecret,
        redirectUri: `${publicUrl}/auth/slack/callback`,
        scope: 'openid email profile',
        insecure,
      };
    }
  }
  if (problems.length) throw new DomainError('CONFIG_INVALID', problems.join('\n'));
  return { publicUrl, entra, slack, teamsSso };
}
