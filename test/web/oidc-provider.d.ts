/**
 * The part of oidc-provider 9's API the sign-in tests use (the package ships no TypeScript types, and
 * DefinitelyTyped's are for older majors).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface KoaContext {
    path: string;
    body: unknown;
  }
  interface Interaction {
    uid: string;
    prompt: { name: string };
    params: Record<string, unknown>;
    session?: { accountId?: string };
  }
  interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>>;
  }
  class Grant {
    constructor(o: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  export default class Provider {
    constructor(
      issuer: string,
      configuration: {
        clients: Record<string, unknown>[];
        pkce?: { required(): boolean };
        conformIdTokenClaims?: boolean;
        claims?: Record<string, string[]>;
        jwks?: { keys: unknown[] };
        cookies?: { keys: string[] };
        features?: Record<string, unknown>;
        interactions?: { url(ctx: KoaContext, interaction: { uid: string }): string };
        findAccount(ctx: KoaContext, sub: string): Account | undefined | Promise<Account | undefined>;
      },
    );
    Grant: typeof Grant;
    use(mw: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      opts?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }
}
