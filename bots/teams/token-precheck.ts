/**
 * What can be known about a Bot Framework token without Microsoft's signing keys. botbuilder verifies a
 * token by fetching the keys first, so while they are unreachable every token, even one that could never
 * be valid, was answered 503 "cannot verify now". This check runs before that: a token that cannot be
 * valid whatever the keys say is refused (401) at once, and only a well-formed one is left to botbuilder
 * (503 when its key cannot be fetched).
 *
 * The rules are the ones botbuilder enforces after fetching the keys
 * (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
 * "Connector to bot"): a JWS (RFC 7515) signed with RS256/RS384/RS512 and naming its key (`kid`); issued by
 * the Bot Framework (https://api.botframework.com, or .us for the US Government cloud) or by Entra ID for
 * a tenant (https://sts.windows.net/{tenant}/, https://login.microsoftonline.com/{tenant}/v2.0, and the
 * .us equivalents); for this bot (`aud` = MicrosoftAppId); not expired (five minutes' clock tolerance,
 * as botbuilder allows). The segments are decoded (base64url, JSON) and their shape checked with zod; the
 * signature itself is botbuilder's job.
 */
import { z } from 'zod';

/** botframework-connector's AuthenticationConstants.AllowedSigningAlgorithms. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const;
/** botframework-connector's clock tolerance when it verifies `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 5 * 60;

const TENANT = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ISSUERS: RegExp[] = [
  /^https:\/\/api\.botframework\.(com|us)$/,
  new RegExp(`^https://sts\\.windows\\.net/${TENANT}/$`),
  new RegExp(`^https://login\\.microsoftonline\\.(com|us)/${TENANT}/v2\\.0$`),
  new RegExp(`^https://login\\.microsoftonline\\.us/${TENANT}/$`),
];

const header = z.looseObject({ alg: z.enum(ALGORITHMS), kid: z.string().min(1) });
const payload = z.looseObject({
  iss: z.string().refine((iss) => ISSUERS.some((re) => re.test(iss))),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
});

export type TokenPrecheck = { ok: true } | { ok: false; reason: string };

function segment(part: string | undefined): unknown {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * @example precheckBotToken(req.headers.authorization, config.appId, Date.now()) // { ok: true } or a reason
 */
export function precheckBotToken(
  authorization: string | undefined,
  appId: string,
  nowMs: number,
): TokenPrecheck {
  const m = /^Bearer\s+(\S+)$/.exec(authorization ?? '');
  if (!m) return { ok: false, reason: 'no bearer token' };
  const parts = (m[1] as string).split('.');
  if (parts.length !== 3 || !parts[2]) return { ok: false, reason: 'not a signed JWT' };
  const h = header.safeParse(segment(parts[0]));
  if (!h.success) {
    const field = String(h.error.issues[0]?.path[0] ?? 'header');
    return { ok: false, reason: `header "${field}" not acceptable (RS256/RS384/RS512 with a kid)` };
  }
  const p = payload.safeParse(segment(parts[1]));
  if (!p.success) {
    const field = String(p.error.issues[0]?.path[0] ?? 'payload');
    return { ok: false, reason: `claim "${field}" not acceptable` };
  }
  const aud = Array.isArray(p.data.aud) ? p.data.aud : [p.data.aud];
  if (!aud.includes(appId)) return { ok: false, reason: 'claim "aud" is not this bot' };
  if (p.data.exp * 1000 < nowMs - CLOCK_TOLERANCE_SECONDS * 1000)
    return { ok: false, reason: 'claim "exp" has passed' };
  return { ok: true };
}
