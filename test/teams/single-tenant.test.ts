/**
 * A single-tenant app registration: inbound Bot Framework tokens are checked the same way, and outbound
 * calls get their token from the school's own tenant (login.microsoftonline.com/<tenant>), not botframework.com.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { healthDetails } from '../support/health.ts';
import {
  APP_ID,
  activity,
  cardOf,
  cardText,
  channelToken,
  connector,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TENANT,
  type TeamsTestHub,
} from './support.ts';

describe.each(providers)('Teams single-tenant registration (%s)', (provider) => {
  let t: TeamsTestHub;
  beforeAll(async () => {
    await serveBotFrameworkKeys();
    serveEntraToken(TENANT);
    t = await startTeamsHub(provider, [], {
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'test-secret-value',
      MicrosoftAppTenantId: TENANT,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts a valid channel token, rejects a wrong audience, and answers using a token from its own tenant', async () => {
    const from = { id: '29:jo', aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000003', name: 'Jo Smith' };
    const conv = { id: 'a:personal-jo', conversationType: 'personal' };
    expect(
      (
        await t.post(
          activity('message', { from, conversation: conv, text: 'help' }),
          await channelToken({ aud: TENANT }),
        )
      ).status,
    ).toBe(401);
    let said: unknown;
    // Only the tenant's token endpoint is served (serveEntraToken(TENANT)): a botframework.com token
    // request would find no match and the reply would fail.
    const send = connector()
      .matchHeader('authorization', 'Bearer connector-token')
      .post(/^\/uk\/v3\/conversations\/a%3Apersonal-jo\/activities(\/[^/]+)?$/, (b) => {
        said = b;
        return true;
      })
      .reply(200, { id: 'st-1' });
    // Jo is matched by Entra object id (stored on the staff record), no profile lookup needed.
    const r = await t.post(activity('message', { from, conversation: conv, text: 'help' }));
    expect(r.status).toBe(200);
    expect(send.isDone()).toBe(true);
    expect(cardText(cardOf(said))).toContain('SEND Hub: what I can do');
    const { body: health } = await healthDetails<{ modules: { teams: { appType: string } } }>(t.base);
    expect(health.modules.teams.appType).toBe('SingleTenant');
  });
});
