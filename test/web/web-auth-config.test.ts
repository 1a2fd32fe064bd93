/** Web sign-in settings (issue 17): each method on only when configured; a half-configured one names the variable. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { readWebAuthConfig } from '../../app/config/web-auth.ts';

const APP = '11111111-2222-4333-8444-555555555555';
const TENANT = '99999999-8888-4777-8666-555555555555';
const read = (env: Record<string, string>, production = false) =>
  readWebAuthConfig(loadConfig({ SEND_HUB_ENV: 'test', ...env }, '/tmp').raw, production);

describe('web sign-in configuration', () => {
  it('is off when nothing is set', () => {
    expect(read({})).toEqual({ publicUrl: null, entra: null, slack: null, teamsSso: null });
  });

  it('reuses the Teams bot registration (single tenant) and the Slack app credentials, with PUBLIC_URL', () => {
    const cfg = read({
      PUBLIC_URL: 'https://hub.example.org/',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppId: APP,
      MicrosoftAppPassword: 'secret',
      MicrosoftAppTenantId: TENANT,
      SLACK_CLIENT_ID: '123.456',
      SLACK_CLIENT_SECRET: 'slack-secret',
    });
    expect(cfg.entra).toMatchObject({
      clientId: APP,
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      redirectUri: 'https://hub.example.org/auth/entra/callback',
      insecure: false,
    });
    expect(cfg.slack).toMatchObject({
      clientId: '123.456',
      issuer: 'https://slack.com',
      redirectUri: 'https://hub.example.org/auth/slack/callback',
      scope: 'openid email profile',
    });
    expect(cfg.teamsSso).toMatchObject({
      jwksUrl: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      issuers: [`https://sts.windows.net/${TENANT}/`, `https://login.microsoftonline.com/${TENANT}/v2.0`],
      audiences: [`api://hub.example.org/${APP}`, `api://hub.example.org/botid-${APP}`, APP],
    });
  });

  it('stays off when the Teams bot has no secret to lend (a managed identity)', () => {
    const cfg = read({
      PUBLIC_URL: 'https://hub.example.org',
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppId: APP,
      MicrosoftAppTenantId: TENANT,
    });
    expect(cfg.entra).toBeNull();
    expect(cfg.teamsSso).toBeNull();
  });

  it('names what is missing or wrong', () => {
    expect(() => read({ WEB_ENTRA_CLIENT_ID: APP, PUBLIC_URL: 'https://hub.example.org' })).toThrow(
      /WEB_ENTRA_TENANT_ID is missing/,
    );
    expect(() => read({ WEB_ENTRA_CLIENT_ID: APP, WEB_ENTRA_TENANT_ID: TENANT })).toThrow(
      /PUBLIC_URL is missing/,
    );
    expect(() =>
      read({ WEB_ENTRA_CLIENT_ID: APP, WEB_ENTRA_TENANT_ID: TENANT, PUBLIC_URL: 'https://hub.example.org' }),
    ).toThrow(/WEB_ENTRA_CLIENT_SECRET is missing/);
    expect(() => read({ WEB_SLACK_CLIENT_ID: '1.2', PUBLIC_URL: 'https://hub.example.org' })).toThrow(
      /WEB_SLACK_CLIENT_SECRET is missing/,
    );
    expect(() => read({ WEB_ENTRA_CLIENT_ID: 'not-a-guid' })).toThrow(
      /WEB_ENTRA_CLIENT_ID is "not-a-guid": expected a GUID/,
    );
    // http only on loopback, and never in production.
    const loopback = {
      WEB_SLACK_CLIENT_ID: '1.2',
      WEB_SLACK_CLIENT_SECRET: 's',
      WEB_SLACK_ISSUER: 'http://127.0.0.1:9999',
      PUBLIC_URL: 'https://hub.example.org',
    };
    expect(read(loopback).slack?.insecure).toBe(true);
    expect(() => read(loopback, true)).toThrow(
      /WEB_SLACK_ISSUER is "http:\/\/127.0.0.1:9999": expected an https URL/,
    );
  });
});
