/**
 * Test harness for the Teams bot: a real hub and its real express app on loopback, Bot Framework tokens
 * signed by a test RSA key whose OpenID metadata and JWKS nock serves at login.botframework.com, and
 * nock stand-ins for the Entra token endpoint and the Bot Connector (smba.trafficmanager.net).
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import nock from 'nock';
import type { FeatureModule } from '../../app/module.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import { teamsModule } from '../../bots/teams/module.ts';
import type { Provider } from '../../store/db.ts';
import { HEALTH_TOKEN } from '../support/health.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

export const APP_ID = '11111111-2222-4333-8444-555555555555';
export const TENANT = '99999999-8888-4777-8666-555555555555';
export const SERVICE_URL = 'https://smba.trafficmanager.net/uk/';
export const BF_ISSUER = 'https://api.botframework.com';
const KID = 'test-key-1';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let keys: Keys | undefined;
let otherKeys: Keys | undefined;

export async function signingKeys(): Promise<{ keys: Keys; other: Keys }> {
  keys ??= await generateKeyPair('RS256', { extractable: true });
  otherKeys ??= await generateKeyPair('RS256', { extractable: true });
  return { keys, other: otherKeys };
}

/** Serve the Bot Framework OpenID metadata and signing keys (botbuilder caches them per process). */
export async function serveBotFrameworkKeys(times = 100): Promise<nock.Scope> {
  const { keys } = await signingKeys();
  const jwk = await exportJWK(keys.publicKey);
  return nock('https://login.botframework.com')
    .get('/v1/.well-known/openidconfiguration')
    .times(times)
    .reply(200, {
      issuer: BF_ISSUER,
      authorization_endpoint: 'https://invalid.botframework.com',
      jwks_uri: 'https://login.botframework.com/v1/.well-known/keys',
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    })
    .get('/v1/.well-known/keys')
    .times(times)
    .reply(200, { keys: [{ ...jwk, kid: KID, kty: 'RSA', use: 'sig', endorsements: ['msteams'] }] });
}

export interface TokenOptions {
  aud?: string;
  iss?: string;
  expiresInSeconds?: number;
  serviceUrl?: string;
  otherKey?: boolean;
}

export async function channelToken(o: TokenOptions = {}): Promise<string> {
  const { keys, other } = await signingKeys();
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (o.expiresInSeconds ?? 3600);
  return new SignJWT({ serviceurl: o.serviceUrl ?? SERVICE_URL })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setIssuer(o.iss ?? BF_ISSUER)
    .setAudience(o.aud ?? APP_ID)
    .setIssuedAt(Math.min(now, exp - 60))
    .setNotBefore(Math.min(now, exp - 60))
    .setExpirationTime(exp)
    .sign((o.otherKey ? other : keys).privateKey);
}

/** The Entra token endpoint the bot uses to call the Bot Connector (multi-tenant: botframework.com). */
export function serveEntraToken(tenant = 'botframework.com'): nock.Scope {
  return nock('https://login.microsoftonline.com')
    .persist()
    .get(/\/common\/discovery\/instance.*/)
    .reply(200, {
      tenant_discovery_endpoint: `https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        {
          preferred_network: 'login.microsoftonline.com',
          preferred_cache: 'login.windows.net',
          aliases: [
            'login.microsoftonline.com',
            'login.windows.net',
            'login.microsoft.com',
            'sts.windows.net',
          ],
        },
      ],
    })
    .get(`/${tenant}/v2.0/.well-known/openid-configuration`)
    .reply(200, {
      token_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
      issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
      authorization_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`,
      jwks_uri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'token'],
      end_session_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/logout`,
    })
    .post(`/${tenant}/oauth2/v2.0/token`)
    .query(true)
    .reply(200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: 'connector-token',
    });
}

if (process.env.NOCK_DEBUG)
  nock.emitter.on(
    'no match',
    (req: {
      host?: string;
      hostname?: string;
      path?: string;
      method?: string;
      options?: { host?: string; path?: string };
    }) =>
      console.log(
        'NOMATCH',
        req.method,
        req.host ?? req.hostname ?? req.options?.host,
        req.path ?? req.options?.path,
      ),
  );

export const connector = () => nock('https://smba.trafficmanager.net');

export interface TeamsTestHub extends TestHub {
  server: RunningServer;
  base: string;
  post(activity: Record<string, unknown>, token?: string | null): Promise<{ status: number; body: unknown }>;
  orgId: string;
  staff: { admin: string; dsl: string; teacher: string };
}

export const TEAMS_ENV = {
  MicrosoftAppType: 'MultiTenant',
  MicrosoftAppId: APP_ID,
  MicrosoftAppPassword: 'test-secret-value',
};

/** A hub with the Teams module and a small staff list: an admin, a DSL and a teacher. */
export async function startTeamsHub(
  provider: Provider,
  extraModules: FeatureModule[] = [],
  env: Record<string, string> = TEAMS_ENV,
): Promise<TeamsTestHub> {
  const t = await startTestHub(provider, {
    env: { METRICS_TOKEN: HEALTH_TOKEN, ...env },
    modules: [teamsModule(), ...extraModules],
  });
  const db = t.hub.dbh.db;
  const org = await db.organisation.create({
    data: { name: 'Test Academy', quietFrom: '23:59', quietUntil: '00:00' },
  });
  const mk = async (displayName: string, email: string, roles: string[], entraObjectId?: string) =>
    (
      await db.staff.create({
        data: {
          orgId: org.id,
          displayName,
          email,
          ...(entraObjectId ? { entraObjectId } : {}),
          roles: { create: roles.map((role) => ({ role: role as never })) },
        },
      })
    ).id;
  const staff = {
    admin: await mk('Alex Admin', 'admin@test.sch.uk', ['ADMIN', 'STAFF']),
    dsl: await mk('Dana Lead', 'dsl@test.sch.uk', ['DSL', 'STAFF']),
    teacher: await mk('Jo Smith', 'jo.smith@test.sch.uk', ['STAFF'], 'aaaaaaaa-0000-4000-8000-000000000003'),
  };
  const server = await listen(createApp(t.hub), 0, '127.0.0.1');
  const base = `http://127.0.0.1:${server.port}`;
  return {
    ...t,
    server,
    base,
    orgId: org.id,
    staff,
    async post(activity, token) {
      const tok = token === undefined ? await channelToken() : token;
      const res = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(tok ? { authorization: `Bearer ${tok}` } : {}) },
        body: JSON.stringify(activity),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body };
    },
    async close() {
      await server.close();
      await t.close();
    },
  };
}

let seq = 0;
/** A Teams activity as the channel sends it. */
export function activity(
  type: string,
  o: {
    from?: { id: string; aadObjectId?: string; name?: string };
    conversation?: { id: string; conversationType: string };
    text?: string;
    value?: unknown;
    name?: string;
    action?: string;
    membersAdded?: { id: string; aadObjectId?: string }[];
    replyToId?: string;
    team?: { id: string };
  } = {},
): Record<string, unknown> {
  const from = o.from ?? {
    id: '29:jo',
    aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000003',
    name: 'Jo Smith',
  };
  return {
    type,
    id: `act-${++seq}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from,
    recipient: { id: `28:${APP_ID}`, name: 'SEND Hub' },
    conversation: {
      ...(o.conversation ?? { id: 'a:personal-jo', conversationType: 'personal' }),
      tenantId: TENANT,
    },
    channelData: { tenant: { id: TENANT }, ...(o.team ? { team: o.team } : {}) },
    locale: 'en-GB',
    ...(o.text !== undefined ? { text: o.text } : {}),
    ...(o.value !== undefined ? { value: o.value } : {}),
    ...(o.name ? { name: o.name } : {}),
    ...(o.action ? { action: o.action } : {}),
    ...(o.membersAdded ? { membersAdded: o.membersAdded } : {}),
    ...(o.replyToId ? { replyToId: o.replyToId } : {}),
  };
}

/** The Adaptive Card inside a Bot Connector activity body. */
export function cardOf(body: unknown): Record<string, unknown> {
  const b = body as { attachments?: { contentType: string; content: Record<string, unknown> }[] };
  const a = b.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive');
  if (!a) throw new Error(`no adaptive card in ${JSON.stringify(body).slice(0, 300)}`);
  return a.content;
}

export const cardText = (card: unknown): string => JSON.stringify(card);
