/**
 * Teams tab single sign-on: the tab's page asks Teams for a token (teams-js `authentication.getAuthToken`)
 * and posts it here. The token is an Entra access token for our app (`api://<host>/<client id>`); it is
 * checked with jose against Entra's published keys: signature (RS256), issuer (v1 sts.windows.net/<tid>/ or
 * v2 login.microsoftonline.com/<tid>/v2.0), audience (api://<host>/<client id> or the client id), the
 * tenant (tid) being the configured one, expiry and not-before. Time is the hub's clock.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { TeamsSsoConfig } from '../../app/config/web-auth.ts';
import { type SignInClaims, SignInRefused } from './oidc.ts';

export class TeamsSsoVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly cfg: TeamsSsoConfig,
    private readonly now: () => Date,
  ) {
    this.keys = createRemoteJWKSet(new URL(cfg.jwksUrl), {
      timeoutDuration: 10_000,
      cooldownDuration: 30_000,
    });
  }

  async verify(token: string): Promise<SignInClaims> {
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) || token.length > 16_384)
      throw new SignInRefused('malformed-token', 'Teams did not give a usable sign-in token.');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.cfg.issuers,
        audience: this.cfg.audiences,
        algorithms: ['RS256'],
        currentDate: this.now(),
        clockTolerance: 60,
        requiredClaims: ['exp', 'iat', 'tid', 'oid'],
      }));
    } catch (cause) {
      throw new SignInRefused(reason(cause), 'Teams’ sign-in token was not accepted.', { cause });
    }
    if (String(payload.tid).toLowerCase() !== this.cfg.tenantId)
      throw new SignInRefused(
        'wrong-tenant',
        'This Teams account belongs to another organisation’s directory.',
      );
    const s = (k: string) => (typeof payload[k] === 'string' ? (payload[k] as string) : undefined);
    const claims: SignInClaims = { subject: s('sub') ?? '', tid: String(payload.tid).toLowerCase() };
    const oid = s('oid');
    if (oid) claims.oid = oid;
    const upn = s('preferred_username') ?? s('upn');
    if (upn) claims.preferredUsername = upn;
    const email = s('email');
    if (email) claims.email = email;
    return claims;
  }
}

function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired-token';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (err instanceof errors.JWKSNoMatchingKey) return 'unknown-key';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'wrong-issuer';
    if (err.claim === 'aud') return 'wrong-audience';
    if (err.claim === 'nbf') return 'not-yet-valid';
    return `claim-${err.claim}`.slice(0, 40);
  }
  if (err instanceof errors.JOSEError) return err.code.slice(0, 40);
  return 'unverifiable';
}
