/** The Teams app package: manifest filled from config, icons of the right size, and the zip's contents. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTeamsConfig } from '../../app/config/teams.ts';
import { buildManifest, packageTeams, validateManifest } from '../../scripts/teams/package.ts';

const APP = '11111111-2222-4333-8444-555555555555';

function pngSize(b: Buffer): { w: number; h: number } {
  expect(b.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

/** Read the entries of a (stored or deflated) zip through its central directory. */
async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zlib = await import('node:zlib');
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const elen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString();
    const lstart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(lstart, lstart + csize);
    out.set(name, method === 8 ? zlib.inflateRawSync(data) : data);
    p += 46 + nlen + elen + clen;
  }
  return out;
}

describe('Teams app package', () => {
  it('fills ids and domain from config, declares the bot scopes and the personal commands', () => {
    const m = buildManifest({ appId: APP, manifestAppId: APP, botDomain: 'hub.example.org' }) as {
      manifestVersion: string;
      id: string;
      bots: { botId: string; scopes: string[]; commandLists: { commands: { title: string }[] }[] }[];
      validDomains: string[];
    };
    expect(m.manifestVersion).toBe('1.19');
    expect(m.id).toBe(APP);
    expect(m.bots[0]?.botId).toBe(APP);
    expect(m.bots[0]?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(m.bots[0]?.commandLists[0]?.commands.map((c) => c.title)).toEqual([
      'help',
      'due',
      'concern',
      'tac',
      'digest',
      'settings',
    ]);
    expect(m.validDomains).toEqual(['hub.example.org']);
    expect(JSON.stringify(m)).not.toContain('{{');
  });

  it('validates against the official Teams manifest schema v1.19 (vendored), which rejects a bad manifest', () => {
    const m = buildManifest({ appId: APP, manifestAppId: APP, botDomain: 'hub.example.org' });
    expect(validateManifest(m)).toEqual([]);
    const bad = structuredClone(m) as { bots: { scopes: string[] }[]; id: string };
    bad.id = 'not-a-guid';
    (bad.bots[0] as { scopes: string[] }).scopes = ['personal', 'groupchat'];
    const problems = validateManifest(bad);
    expect(problems.some((p) => p.includes('/id'))).toBe(true);
    expect(problems.some((p) => p.includes('/bots/0/scopes/1'))).toBe(true);
  });

  it('declares the personal tab (issue 17) at PUBLIC_URL/tab and its SSO app, valid against the schema', () => {
    const SSO = '22222222-3333-4444-8555-666666666666';
    const m = buildManifest({
      appId: APP,
      manifestAppId: APP,
      botDomain: 'bot.example.org',
      publicUrl: 'https://hub.example.org/',
      ssoClientId: SSO,
    }) as {
      staticTabs: {
        entityId: string;
        name: string;
        contentUrl: string;
        websiteUrl: string;
        scopes: string[];
      }[];
      webApplicationInfo: { id: string; resource: string };
      validDomains: string[];
    };
    expect(m.staticTabs).toEqual([
      {
        entityId: 'send-hub',
        name: 'SEND Hub',
        contentUrl: 'https://hub.example.org/tab',
        websiteUrl: 'https://hub.example.org/app',
        scopes: ['personal'],
      },
    ]);
    expect(m.webApplicationInfo).toEqual({ id: SSO, resource: `api://hub.example.org/${SSO}` });
    expect(m.validDomains).toEqual(['bot.example.org', 'hub.example.org']);
    expect(validateManifest(m)).toEqual([]);
    // Without PUBLIC_URL or a separate client id: the bot's domain and app registration (botid- form).
    const plain = buildManifest({ appId: APP, manifestAppId: APP, botDomain: 'hub.example.org' }) as typeof m;
    expect(plain.staticTabs[0]?.contentUrl).toBe('https://hub.example.org/tab');
    expect(plain.webApplicationInfo).toEqual({ id: APP, resource: `api://hub.example.org/botid-${APP}` });
    expect(plain.validDomains).toEqual(['hub.example.org']);
    // The schema refuses a tab outside the personal scope's rules (a non-URL content address).
    const bad = structuredClone(m);
    (bad.staticTabs[0] as { contentUrl: string }).contentUrl = 'ftp://hub.example.org/tab';
    expect(validateManifest(bad).some((p) => p.includes('/staticTabs/0/contentUrl'))).toBe(true);
  });

  it('zips manifest.json with a 192x192 colour icon and a 32x32 transparent outline icon', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-pkg-'));
    const file = await packageTeams({ appId: APP, manifestAppId: APP, botDomain: 'hub.example.org' }, dir);
    const entries = await unzip(file);
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(JSON.parse(entries.get('manifest.json')?.toString() ?? '{}').icons).toEqual({
      color: 'color.png',
      outline: 'outline.png',
    });
    expect(validateManifest(JSON.parse(entries.get('manifest.json')?.toString() ?? '{}'))).toEqual([]);
    expect(pngSize(entries.get('color.png') as Buffer)).toEqual({ w: 192, h: 192 });
    expect(pngSize(entries.get('outline.png') as Buffer)).toEqual({ w: 32, h: 32 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('validates the Teams config: SingleTenant needs a tenant id, MultiTenant a password', () => {
    expect(readTeamsConfig({})).toBeNull();
    expect(() =>
      readTeamsConfig({ MicrosoftAppId: APP, MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'x' }),
    ).toThrow(/MicrosoftAppTenantId is missing/);
    expect(() => readTeamsConfig({ MicrosoftAppId: APP })).toThrow(/MicrosoftAppPassword is missing/);
    expect(() =>
      readTeamsConfig({
        MicrosoftAppId: APP,
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppPassword: 'x',
        MicrosoftAppTenantId: APP,
      }),
    ).toThrow(/has no password/);
    expect(readTeamsConfig({ MicrosoftAppId: APP, MicrosoftAppPassword: 's' })?.appType).toBe('MultiTenant');
  });
});
