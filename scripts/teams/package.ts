/**
 * `npm run package:teams`: fills the Teams app manifest from config (MicrosoftAppId, TEAMS_APP_ID,
 * TEAMS_BOT_DOMAIN), draws the two icons (color 192x192, outline 32x32, PNG written with node:zlib only)
 * and zips manifest.json + icons into manifest/teams/build/send-hub-teams.zip, ready to upload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import yazl from 'yazl';
import { loadConfig } from '../../app/config/index.ts';
import { readTeamsConfig, type TeamsConfig } from '../../app/config/teams.ts';
import { readWebAuthConfig } from '../../app/config/web-auth.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const manifestDir = path.join(root, 'manifest/teams');

/**
 * What the manifest is filled from: the bot's ids and domain, and for the personal tab (issue 17) the hub's
 * public address (PUBLIC_URL; default https://<TEAMS_BOT_DOMAIN>) and the Entra app its SSO token is for
 * (WEB_ENTRA_CLIENT_ID; default the bot's MicrosoftAppId).
 */
export type ManifestConfig = Pick<TeamsConfig, 'appId' | 'manifestAppId' | 'botDomain'> & {
  publicUrl?: string | null;
  ssoClientId?: string | null;
};

export function buildManifest(cfg: ManifestConfig): Record<string, unknown> {
  const template = fs.readFileSync(path.join(manifestDir, 'manifest.template.json'), 'utf8');
  const botDomain = cfg.botDomain ?? 'localhost';
  const publicUrl = (cfg.publicUrl ?? `https://${botDomain}`).replace(/\/+$/, '');
  const publicHost = new URL(publicUrl).host;
  // One app registration for the bot and the tab: Teams wants api://<host>/botid-<app id> (Microsoft's
  // "Configure your tab app in Microsoft Entra ID", application ID URI for an app with several capabilities).
  const sso = cfg.ssoClientId ?? cfg.appId;
  const filled = template
    .replaceAll('{{TEAMS_APP_ID}}', cfg.manifestAppId)
    .replaceAll('{{MicrosoftAppId}}', cfg.appId)
    .replaceAll('{{TEAMS_BOT_DOMAIN}}', botDomain)
    .replaceAll('{{PUBLIC_URL}}', publicUrl)
    .replaceAll('{{PUBLIC_HOST}}', publicHost)
    .replaceAll('{{SSO_CLIENT_ID}}', sso)
    .replaceAll('{{SSO_RESOURCE_ID}}', sso === cfg.appId ? `botid-${sso}` : sso);
  const manifest = JSON.parse(filled) as Record<string, unknown> & { validDomains: string[] };
  // The tab's host must be a valid domain too when the hub is reached at another name than the bot's.
  if (!manifest.validDomains.includes(publicHost)) manifest.validDomains.push(publicHost);
  return manifest;
}

/** Validate a manifest against the vendored official schema; returns readable problems (empty when valid). */
export function validateManifest(manifest: unknown): string[] {
  const schema = JSON.parse(
    fs.readFileSync(path.join(manifestDir, 'schema/MicrosoftTeams.v1.19.schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  // The schema is draft-04; its keywords used here are the same in ajv's default draft.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(schema);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `manifest${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}

/** A PNG from an RGBA pixel function (8-bit, colour type 6). */
export function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A ring with a bar: "hub" shape. Color: white on the accent blue; outline: white on transparent. */
function hubShape(x: number, y: number, size: number): boolean {
  const c = (size - 1) / 2;
  const r = Math.hypot(x - c, y - c) / size;
  const ring = r > 0.26 && r < 0.36;
  const dot = r < 0.1;
  return ring || dot;
}

export const colorIcon = () =>
  png(192, (x, y) => (hubShape(x, y, 192) ? [255, 255, 255, 255] : [0x1f, 0x5c, 0x99, 255]));
export const outlineIcon = () =>
  png(32, (x, y) => (hubShape(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0]));

export async function packageTeams(
  cfg: ManifestConfig,
  outDir = path.join(manifestDir, 'build'),
): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true });
  const manifest = buildManifest(cfg);
  const problems = validateManifest(manifest);
  if (problems.length)
    throw new Error(`the Teams manifest does not match the official schema:\n${problems.join('\n')}`);
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), 'manifest.json');
  zip.addBuffer(colorIcon(), 'color.png');
  zip.addBuffer(outlineIcon(), 'outline.png');
  zip.end();
  const file = path.join(outDir, 'send-hub-teams.zip');
  await new Promise<void>((resolve, reject) => {
    zip.outputStream
      .pipe(fs.createWriteStream(file))
      .on('close', () => resolve())
      .on('error', reject);
  });
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const config = loadConfig();
  const cfg = readTeamsConfig(config.raw);
  if (!cfg) {
    console.error('package:teams: set MicrosoftAppId (and MicrosoftAppPassword) first; see docs/teams.md');
    process.exit(1);
  }
  const web = readWebAuthConfig(config.raw, config.production);
  const file = await packageTeams({
    ...cfg,
    publicUrl: web.publicUrl,
    ssoClientId: web.teamsSso?.clientId ?? null,
  });
  console.log(`Teams app package written to ${path.relative(process.cwd(), file)}`);
}
