/**
 * A real OpenID Connect provider on loopback (oidc-provider 9) standing in for Entra ID or Slack, and a
 * small cookie-keeping "browser" (fetch, redirects followed by hand) to walk a person through a sign-in.
 * The provider's login and consent are answered by our own minimal interaction route: the test says who
 * signs in (`as`) and the route finishes the interaction as that account.
 * `tamper` rewrites the ID token the token endpoint returns, signed with the provider's own key (the same
 * JWKS the hub verifies against): wrong audience, expired, another nonce.
 * `startEntraProvider` is the stand-in for Entra ID the sign-in tests share (the hub's tenant and client from
 * auth-hub.ts), and `entraEnv` the hub's settings that point at it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import { startLoopbackServer } from '../support/loopback-server.ts';
import { ENTRA_CLIENT, TENANT } from './auth-hub.ts';

export const CLIENT_SECRET = 'client-secret-for-tests-only-0123456789';

export type Tamper = null | ((claims: Record<string, unknown>) => Record<string, unknown>);

export interface TestProvider {
  issuer: string;
  origin: string;
  /** Who the next login is (the account id; its claims come from `accounts`). */
  as: string;
  tamper: Tamper;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Start a provider at http://127.0.0.1:<port><prefix> (Entra: prefix "/<tenant>/v2.0"; Slack: "").
 * `accounts` maps an account id to the claims its ID token carries.
 */
export async function startProvider(opts: {
  prefix: string;
  clientId: string;
  redirectUri: string;
  claimsByScope: Record<string, string[]>;
  accounts: Record<string, Record<string, unknown>>;
}): Promise<TestProvider> {
  // The hub's timeouts, and a close() that ends idle connections (test/support/loopback-server.ts).
  const { server, origin, close } = await startLoopbackServer();
  const issuer = `${origin}${opts.prefix}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const signKey = await importJWK(jwk, 'RS256');
  const state: TestProvider = {
    issuer,
    origin,
    as: '',
    tamper: null,
    close,
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: CLIENT_SECRET,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: opts.claimsByScope,
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${opts.prefix}/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const claims = opts.accounts[sub];
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
  });
  // The token endpoint's ID token, re-signed with the provider's key after a test's change.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && state.tamper && body?.id_token) {
      const claims = state.tamper({ ...decodeJwt(body.id_token) });
      const idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
        .sign(signKey);
      ctx.body = { ...body, id_token: idToken };
    }
  });
  const app = express();
  // Login and consent at once, as the account the test named (what a person does on the provider's pages).
  app.get(`${opts.prefix}/interaction/:uid`, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: state.as } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session?.accountId as string,
        clientId: opts.clientId,
      });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    } catch (err) {
      next(err);
    }
  });
  app.use(opts.prefix || '/', provider.callback());
  server.on('request', app);
  return state;
}

/**
 * Entra ID for the hub's tenant at http://127.0.0.1:<port>/<tenant>/v2.0, sending people back to the hub at
 * `hubBase`; its ID tokens carry the object id (`oid`) and tenant id (`tid`) Entra's do.
 */
export function startEntraProvider(
  hubBase: string,
  accounts: Record<string, Record<string, unknown>>,
): Promise<TestProvider> {
  return startProvider({
    prefix: `/${TENANT}/v2.0`,
    clientId: ENTRA_CLIENT,
    redirectUri: `${hubBase}/auth/entra/callback`,
    claimsByScope: {
      openid: ['sub', 'oid', 'tid'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    accounts,
  });
}

/** The hub's web sign-in settings for Microsoft, pointed at `entra`. */
export function entraEnv(entra: TestProvider): Record<string, string> {
  return {
    WEB_ENTRA_CLIENT_ID: ENTRA_CLIENT,
    WEB_ENTRA_CLIENT_SECRET: CLIENT_SECRET,
    WEB_ENTRA_TENANT_ID: TENANT,
    WEB_ENTRA_AUTHORITY: entra.origin,
  };
}

/** A browser's cookie jar and redirect following, enough for a sign-in walk. */
export class Walker {
  readonly jar = new Map<string, Map<string, string>>();

  private keep(url: URL, res: Response): void {
    const host = url.host;
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = (pair ?? '').indexOf('=');
      if (i <= 0) continue;
      const name = (pair as string).slice(0, i).trim();
      const value = (pair as string).slice(i + 1).trim();
      if (value === '' || /max-age=0\b|expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(host, cookies);
  }

  cookieHeader(url: string | URL): string {
    const c = this.jar.get(new URL(url).host);
    return c ? [...c].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  async get(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const res = await fetch(u, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader(u) },
    });
    this.keep(u, res);
    return res;
  }

  /**
   * Follow redirects from `url`; `stopAt` (a predicate on the next URL) hands control back before it is
   * opened (e.g. to capture or change the callback). Returns the last response and its URL.
   */
  async follow(
    url: string | URL,
    stopAt: (next: URL) => boolean = () => false,
  ): Promise<{ res: Response; url: URL; stoppedAt?: URL }> {
    let u = new URL(url);
    for (let i = 0; i < 20; i++) {
      const res = await this.get(u);
      const loc = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !loc) return { res, url: u };
      await res.arrayBuffer();
      const next = new URL(loc, u);
      if (stopAt(next)) return { res, url: u, stoppedAt: next };
      u = next;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
