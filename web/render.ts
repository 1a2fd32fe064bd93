/**
 * Server-side HTML for the web pages (issue 17): one Nunjucks environment over the hub's own templates
 * (web/templates: the layout, shared macros, error pages), the page areas (web/pages/<area>/*.njk) and
 * govuk-frontend's dist folder, so a template can `{% from "govuk/components/table/macro.njk" import
 * govukTable %}`. Autoescape is on (a name or a reference is always text, never markup), templates are
 * compiled once and cached, and nothing watches the disk.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { assetUrl } from './assets.ts';

/** The repository root (this file is web/render.ts). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATES_DIR = path.join(ROOT, 'web', 'templates');
export const PAGES_DIR = path.join(ROOT, 'web', 'pages');
export const GOVUK_DIST = path.join(ROOT, 'node_modules', 'govuk-frontend', 'dist');

const LONDON = 'Europe/London';

function asDate(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** "6 December 2026" (GOV.UK style: no leading zero, full month), in England's time. */
export function ukDate(v: unknown): string {
  const d = asDate(v);
  return d
    ? new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: LONDON,
      }).format(d)
    : '';
}

/** "6 December 2026 at 2:05pm" in England's time. */
export function ukDateTime(v: unknown): string {
  const d = asDate(v);
  if (!d) return '';
  const time = new Intl.DateTimeFormat('en-GB', {
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
    timeZone: LONDON,
  })
    .format(d)
    .replace(/\s/g, '')
    .toLowerCase();
  return `${ukDate(d)} at ${time}`;
}

let env: nunjucks.Environment | undefined;

/** The one environment (built on first use). */
export function templates(): nunjucks.Environment {
  if (env) return env;
  const loader = new nunjucks.FileSystemLoader([TEMPLATES_DIR, PAGES_DIR, GOVUK_DIST], {
    watch: false,
    noCache: false,
  });
  env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false });
  env.addFilter('ukDate', ukDate);
  env.addFilter('ukDateTime', ukDateTime);
  env.addGlobal('asset', assetUrl);
  return env;
}

/** Render a template (a path under web/templates or web/pages, e.g. "board/board.njk") to HTML. */
export function renderTemplate(template: string, vars: Record<string, unknown>): string {
  return templates().render(template, vars);
}
