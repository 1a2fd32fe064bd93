/**
 * Static files of the web pages (issue 17), from a fixed list built at start: nothing is looked up on disk
 * from the request's path, so `..`, encoded slashes and directory names find nothing (404), and no folder
 * is ever listed.
 *
 * - `/assets/govuk/...`: govuk-frontend's style sheet and script. The style sheet is served rewritten: its
 *   `@font-face` rules and the GDS Transport family are taken out (the typeface belongs to GOV.UK alone) and
 *   the system font stack put in their place, so no browser ever asks for a font file. The GOV.UK images
 *   (crown, crest, icons) are not served either: they are GOV.UK's too.
 * - `/assets/app/...`: the hub's own files in web/public.
 * - `/assets/vendor/<name>`: a file from node_modules, only if listed in VENDOR below.
 *
 * Cache: a URL made by `assetUrl` carries `?v=<content hash>` and is cached for a year (`immutable`);
 * any other request is answered with an ETag and `no-cache` (revalidated).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Router } from 'express';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PUBLIC_DIR = path.join(ROOT, 'web', 'public');
const GOVUK = path.join(ROOT, 'node_modules', 'govuk-frontend', 'dist', 'govuk');

/** Vendor files served from node_modules: URL name -> path under node_modules. Add one line per file. */
export const VENDOR: Record<string, string> = {
  'MicrosoftTeams.min.js': '@microsoft/teams-js/dist/umd/MicrosoftTeams.min.js',
};

/** The system font stack used instead of GDS Transport. */
export const SYSTEM_FONTS =
  'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

/** govuk-frontend's CSS without its typeface: no @font-face, system fonts, no GOV.UK crest image. */
export function stripGovukTypeface(css: string): string {
  return css
    .replace(/\/\*![^*]*\*+(?:[^/*][^*]*\*+)*\//g, '')
    .replace(/@font-face\{[^}]*\}/g, '')
    .replace(/GDS Transport,arial,sans-serif/g, SYSTEM_FONTS)
    .replace(/font-family:GDS Transport/g, `font-family:${SYSTEM_FONTS}`)
    .replace(/url\(\/assets\/images\/govuk-crest\.svg\)/g, 'none');
}

function asset(body: Buffer, file: string): Asset {
  return {
    body,
    type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    hash: createHash('sha256').update(body).digest('hex').slice(0, 12),
  };
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile() && TYPES[path.extname(e.name).toLowerCase()]) out.push(rel);
  }
  return out;
}

let table: Map<string, Asset> | undefined;

/** Every servable URL path and its bytes (read once). */
export function assetTable(): Map<string, Asset> {
  if (table) return table;
  const t = new Map<string, Asset>();
  const css = path.join(GOVUK, 'govuk-frontend.min.css');
  t.set(
    '/assets/govuk/govuk-frontend.min.css',
    asset(Buffer.from(stripGovukTypeface(fs.readFileSync(css, 'utf8'))), css),
  );
  const js = path.join(GOVUK, 'govuk-frontend.min.js');
  t.set('/assets/govuk/govuk-frontend.min.js', asset(fs.readFileSync(js), js));
  for (const rel of listFiles(PUBLIC_DIR)) {
    const file = path.join(PUBLIC_DIR, rel);
    t.set(`/assets/app/${rel}`, asset(fs.readFileSync(file), file));
  }
  for (const [name, rel] of Object.entries(VENDOR)) {
    const file = path.join(ROOT, 'node_modules', rel);
    if (fs.existsSync(file)) t.set(`/assets/vendor/${name}`, asset(fs.readFileSync(file), file));
  }
  table = t;
  return t;
}

/**
 * The URL of an asset with its content hash (`/assets/app/app.css?v=3f2a...`), for templates: `{{
 * asset('/assets/app/app.css') }}`. An unknown path is returned as it is (and will answer 404).
 */
export function assetUrl(urlPath: string): string {
  const a = assetTable().get(urlPath);
  return a ? `${urlPath}?v=${a.hash}` : urlPath;
}

function serve(req: Request, res: Response): void {
  const a = assetTable().get(req.path);
  res.set('X-Content-Type-Options', 'nosniff');
  if (!a) {
    res.status(404).type('text/plain').send('Not found');
    return;
  }
  const etag = `"${a.hash}"`;
  res.set({
    'Content-Type': a.type,
    ETag: etag,
    'Cache-Control': req.query.v === a.hash ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  res.status(200).send(a.body);
}

/** Mount `/assets/govuk`, `/assets/app` and `/assets/vendor` (GET and HEAD only). */
export function assetRoutes(router: Router): void {
  router.get(/^\/assets\/(govuk|app|vendor)\//, serve);
}
