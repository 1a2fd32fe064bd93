/**
 * OpenID Connect authorisation code flow with PKCE, state and nonce (openid-client 6), for Entra ID and
 * "Sign in with Slack". The state, the PKCE verifier and the nonce travel in a short-lived cookie that is
 * encrypted and authenticated with the hub's field key (AES-256-GCM, store/crypto), so any replica can finish
 * a flow another began and nobody can read or alter it. The ID token is checked by openid-client: signature
 * against the issuer's keys, issuer, audience, expiry, nonce; the code exchange carries the PKCE verifier.
 */
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcClientConfig } from '../../app/config/web-auth.ts';
import type { FieldCipher } from '../../store/crypto/field-cipher.ts';
import { safeNext } from '../sign-in-link.ts';

export const FLOW_COOKIE = 'sendhub_oidc';
const FLOW_CONTEXT = 'web.oidc-flow';
/** How long a person has at the provider before the flow is refused (sign in again). */
export const FLOW_TTL_MS = 10 * 60_000;

interface Flow {
  p: 'entra' | 'slack';
  state: string;
  verifier: string;
  nonce: string;
  next: string;
  exp: number;
  /** A random id so two flows' cookies never encrypt the same text. */
  id: string;
}

export interface CookieSpec {
  name: string;
  value: string;
  options: { httpOnly: true; secure: true; sameSite: 'lax'; path: string; maxAge: number };
}

/** What the provider says about the person, reduced to what matching needs (never logged). */
export interface SignInClaims {
  subject: string;
  email?: string;
  /** Entra: oid, tid, preferred_username. */
  oid?: string;
  tid?: string;
  preferredUsername?: string;
  /** Slack: https://slack.com/user_id and team_id. */
  slackUserId?: string;
  slackTeamId?: string;
}

export class SignInRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class OidcClients {
  private readonly configs = new Map<string, Promise<client.Configuration>>();

  constructor(
    private readonly cipher: FieldCipher,
    private readonly now: () => Date,
  ) {}

  /** Discovery once per process per provider (metadata and keys are public; nothing per person is kept). */
  private configuration(p: OidcClientConfig): Promise<client.Configuration> {
    let c = this.configs.get(p.id);
    if (!c) {
      c = client.discovery(
        new URL(p.issuer),
        p.clientId,
        p.clientSecret,
        undefined,
        p.insecure ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      );
      // A failed discovery (provider down) is tried again on the next sign-in.
      c.catch(() => this.configs.delete(p.id));
      this.configs.set(p.id, c);
    }
    return c;
  }

  /** The provider's authorisation URL and the cookie that remembers the flow. */
  async start(p: OidcClientConfig, next: string): Promise<{ url: string; cookie: CookieSpec }> {
    const config = await this.configuration(p);
    const verifier = client.randomPKCECodeVerifier();
    const flow: Flow = {
      p: p.id,
      state: client.randomState(),
      verifier,
      nonce: client.randomNonce(),
      next: safeNext(next),
      exp: this.now().getTime() + FLOW_TTL_MS,
      id: randomBytes(8).toString('base64url'),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: p.redirectUri,
      scope: p.scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return {
      url: url.href,
      cookie: flowCookie(p.id, this.cipher.encryptJson(flow, FLOW_CONTEXT), FLOW_TTL_MS),
    };
  }

  /** Finish the flow: check the cookie, exchange the code (PKCE), verify the ID token (nonce, aud, iss, exp). */
  async finish(
    p: OidcClientConfig,
    cookieValue: string | undefined,
    query: string,
  ): Promise<{ claims: SignInClaims; next: string }> {
    if (!cookieValue)
      throw new SignInRefused(
        'no-flow',
        'This sign-in was not started here, or took too long. Sign in again.',
      );
    let flow: Flow;
    try {
      flow = this.cipher.decryptJson<Flow>(cookieValue, FLOW_CONTEXT);
    } catch (cause) {
      throw new SignInRefused('bad-flow', 'This sign-in could not be checked. Sign in again.', { cause });
    }
    if (flow.p !== p.id || flow.exp < this.now().getTime())
      throw new SignInRefused('expired-flow', 'This sign-in took too long. Sign in again.');
    const config = await this.configuration(p);
    const current = new URL(p.redirectUri);
    current.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (cause) {
      throw new SignInRefused(refusalReason(cause), 'The sign-in could not be completed. Sign in again.', {
        cause,
      });
    }
    const c = tokens.claims();
    if (!c) throw new SignInRefused('no-id-token', 'The sign-in returned no identity. Sign in again.');
    const s = (k: string) => (typeof c[k] === 'string' ? (c[k] as string) : undefined);
    const claims: SignInClaims = { subject: c.sub };
    const set = (k: keyof SignInClaims, v: string | undefined) => {
      if (v) claims[k] = v;
    };
    // An address the provider says it has not verified is not used to match anyone.
    if (c.email_verified !== false) set('email', s('email'));
    set('oid', s('oid'));
    set('tid', s('tid'));
    set('preferredUsername', s('preferred_username'));
    set('slackUserId', s('https://slack.com/user_id'));
    set('slackTeamId', s('https://slack.com/team_id'));
    return { claims, next: flow.next };
  }
}

function flowCookie(id: string, value: string, maxAge: number): CookieSpec {
  return {
    name: FLOW_COOKIE,
    value,
    options: { httpOnly: true, secure: true, sameSite: 'lax', path: `/auth/${id}/`, maxAge },
  };
}

/** The cookie that ends a flow (one use: cleared on the callback whatever its outcome). */
export const clearedFlowCookie = (id: string): CookieSpec => flowCookie(id, '', 0);

/**
 * A short code for the audit trail (never the provider's text, which may echo input). openid-client's own
 * message is generic; the oauth4webapi error it wraps (`cause`) names the parameter or claim.
 */
function refusalReason(err: unknown): string {
  const e = err as { code?: string; error?: string; message?: string; cause?: { message?: string } };
  if (e?.error) return `provider:${String(e.error).slice(0, 40)}`;
  const m = `${e?.cause?.message ?? ''} ${e?.message ?? ''}`;
  if (/"state"/.test(m)) return 'state-mismatch';
  if (/"nonce"/.test(m)) return 'nonce-mismatch';
  if (/"aud"/.test(m)) return 'wrong-audience';
  if (/"exp"/.test(m)) return 'expired-token';
  if (/"iat"|"nbf"/.test(m)) return 'token-not-yet-valid';
  if (/"iss"/.test(m)) return 'wrong-issuer';
  if (/signature/i.test(m)) return 'bad-signature';
  return (e?.code ?? 'exchange-failed').slice(0, 40);
}
