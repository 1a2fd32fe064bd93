/**
 * Web pages in tests (issue 17): a whole hub with its HTTP server on loopback (the current provider), a
 * seeded school and local authority, and `signIn`, which signs a member of staff in exactly as a person
 * does in development: a one-time link (issueSignInLink) opened over HTTP, its session cookie kept.
 */
import { expect } from 'vitest';
import type { Hub } from '../../app/container.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import type { FeatureModule } from '../../app/module.ts';
import { createApp, listen, type RunningServer } from '../../app/server.ts';
import type { Role } from '../../core/staff/roles.ts';
import type { Provider } from '../../store/db.ts';
import { issueSignInLink } from '../../web/sign-in-link.ts';
import { type School, seedSchool } from '../safeguarding/support.ts';
import { startTestHub, type TestHub } from './hub.ts';

export type { School } from '../safeguarding/support.ts';

export interface WebHub extends TestHub {
  server: RunningServer;
  /** http://127.0.0.1:<port> */
  base: string;
}

/** A test hub (default modules unless given) listening on a free loopback port. */
export async function startWebHub(
  provider: Provider,
  opts: { now?: string; env?: Record<string, string>; modules?: FeatureModule[] } = {},
): Promise<WebHub> {
  const t = await startTestHub(provider, opts);
  const server = await listen(createApp(t.hub), 0, '127.0.0.1');
  const base = `http://127.0.0.1:${server.port}`;
  return {
    ...t,
    server,
    base,
    async close() {
      await server.close();
      await t.close();
    },
  };
}

/** Quarrydene Academy (teacher, dsl, deputy, deputy2, head, admin, behaviour, keyworker; two pupils). */
export async function seedWebSchool(hub: Hub): Promise<School> {
  return seedSchool(hub.dbh.db);
}

export interface LocalAuthority {
  orgId: string;
  staff: { manager: string; officer1: string; officer2: string; admin: string };
  emails: { manager: string; officer1: string; officer2: string; admin: string };
}

/** Fenmoor Council's SEN team: a manager, two EHC needs assessment officers (line-managed), an admin. */
export async function seedLocalAuthority(hub: Hub): Promise<LocalAuthority> {
  const db = hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Fenmoor Council', kind: 'LOCAL_AUTHORITY' } });
  const mk = async (key: string, displayName: string, roles: Role[], lineManagerId?: string) =>
    (
      await db.staff.create({
        data: {
          orgId: org.id,
          displayName,
          email: `${key}@fenmoor.example`,
          ...(lineManagerId ? { lineManagerId } : {}),
          roles: { create: roles.map((role) => ({ role })) },
        },
      })
    ).id;
  const manager = await mk('manager', 'Mo Manager', ['SEN_TEAM_MANAGER']);
  const staff = {
    manager,
    officer1: await mk('officer1', 'Olu Officer', ['EHCNA_OFFICER'], manager),
    officer2: await mk('officer2', 'Ola Officer', ['EHCNA_OFFICER'], manager),
    admin: await mk('laadmin', 'Lou Admin', ['ADMIN']),
  };
  const emails = {
    manager: 'manager@fenmoor.example',
    officer1: 'officer1@fenmoor.example',
    officer2: 'officer2@fenmoor.example',
    admin: 'laadmin@fenmoor.example',
  };
  return { orgId: org.id, staff, emails };
}

export interface SignedInClient {
  /** `__Host-sendhub-session=<token>`: send it as the Cookie header. */
  cookie: string;
  /** fetch a path of the hub with the session cookie (redirects are not followed unless init says so). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The CSRF token of the session, read from the page at `path` (default /app) as a browser would. */
  csrf(path?: string): Promise<string>;
  /** POST a form to `path` as the page would: urlencoded, its CSRF token, this hub's Origin. */
  post(path: string, fields?: Record<string, string>): Promise<Response>;
}

/** The CSRF token in a page's forms. */
export function csrfFrom(html: string): string {
  const m = html.match(/name="csrf" value="([^"]+)"/);
  if (!m?.[1]) throw new Error('no CSRF field on the page');
  return m[1];
}

/** The session cookie (name=value) from a response's Set-Cookie headers. */
export function sessionCookieFrom(res: Response): string {
  const c = res.headers.getSetCookie().find((h) => h.startsWith('__Host-sendhub-session='));
  if (!c) throw new Error(`no session cookie (status ${res.status})`);
  return c.split(';')[0] ?? '';
}

/** Sign in as the member of staff with this e-mail through a one-time sign-in link. */
export async function signIn(w: WebHub, email: string, orgId?: string): Promise<SignedInClient> {
  const link = await issueSignInLink(w.hub, email, orgId ? { orgId } : {});
  const res = await fetch(`${w.base}${link.path}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = sessionCookieFrom(res);
  const client: SignedInClient = {
    cookie,
    fetch: (path, init = {}) =>
      fetch(`${w.base}${path}`, {
        redirect: 'manual',
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), cookie },
      }),
    async csrf(path = '/app') {
      const page = await client.fetch(path);
      return csrfFrom(await page.text());
    },
    async post(path, fields = {}) {
      const csrf = await client.csrf();
      return client.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: w.base },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      });
    },
  };
  return client;
}

/**
 * A new pupil of the organisation and an EHC needs assessment for them, requested on `request` and held by
 * `ownerId`, opened through the deadline service (its assignment history begins then); with `issued`, its
 * final plan was issued that day. Returns the case's id.
 */
export async function openAssessment(
  hub: Hub,
  orgId: string,
  c: { reference: string; request: string; ownerId: string; issued?: string },
): Promise<string> {
  const s = await hub.dbh.db.student.create({
    data: { orgId, givenName: `Child-${c.reference}`, familyName: 'Sample' },
  });
  const svc = hub.services.get('deadlines') as DeadlineService;
  const { caseId } = await svc.openCase({
    orgId,
    studentId: s.id,
    kind: 'EHC_NEEDS_ASSESSMENT',
    startDate: c.request,
    ownerId: c.ownerId,
    reference: c.reference,
    events: c.issued ? [{ kind: 'final_plan_issued', occurredOn: c.issued }] : [],
  });
  return caseId;
}

/** The cells of a table row whose header is `label`, in a table with id `id` (the web pages' tables). */
export function rowCells(html: string, id: string, label: string): string[] {
  const table = html.slice(html.indexOf(`id="${id}"`), html.indexOf('</table>', html.indexOf(`id="${id}"`)));
  const row = table.split('<tr').find((r) => r.includes(`>${label}</th>`));
  if (!row) throw new Error(`no row ${label} in ${id}`);
  return [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!.trim());
}

/** A chat reply as the person reads it: its title and text (empty for a reply that is not a message). */
export const replyText = (r: { kind: string; message?: { title?: string; text?: string } }) =>
  r.kind === 'message' ? `${r.message?.title ?? ''}\n${r.message?.text ?? ''}` : '';
