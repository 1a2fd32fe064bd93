/**
 * A hub with the web pages and web sign-in on a loopback port known before the hub is built (PUBLIC_URL and
 * the providers' redirect URIs need it), and a small staff list: Jo (teacher, with an Entra object id),
 * Dana (DSL, matched by e-mail), Alex (admin).
 */
import type http from 'node:http';
import { createApp } from '../../app/server.ts';
import type { Provider } from '../../store/db.ts';
import { webAuthModule } from '../../web/auth/module.ts';
import { webModule } from '../../web/web-module.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { startLoopbackServer } from '../support/loopback-server.ts';

export const TENANT = '99999999-8888-4777-8666-555555555555';
export const OTHER_TENANT = '11111111-8888-4777-8666-555555555555';
export const ENTRA_CLIENT = '22222222-3333-4444-8555-666666666666';
export const JO_OID = 'aaaaaaaa-0000-4000-8000-000000000003';
export const DANA_OID = 'aaaaaaaa-0000-4000-8000-000000000004';

export interface AuthHub extends TestHub {
  base: string;
  orgId: string;
  staff: { jo: string; dana: string; admin: string };
  audits(action: string): Promise<{ actorId: string | null; details: Record<string, unknown> }[]>;
}

/**
 * A listening server on a free port, with the hub's own timeouts (test/support/loopback-server.ts); the app is
 * attached once the hub exists.
 */
export async function reserveServer(): Promise<ReservedServer> {
  const s = await startLoopbackServer();
  return { server: s.server, base: s.origin, close: s.close };
}

export interface ReservedServer {
  server: http.Server;
  base: string;
  close(): Promise<void>;
}

export async function startAuthHub(
  provider: Provider,
  reserved: ReservedServer,
  env: Record<string, string>,
): Promise<AuthHub> {
  const t = await startTestHub(provider, {
    env: { PUBLIC_URL: reserved.base, ...env },
    modules: [webModule(), webAuthModule()],
  });
  const db = t.hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Test Academy' } });
  const mk = async (displayName: string, email: string, roles: string[], entraObjectId?: string) =>
    (
      await db.staff.create({
        data: {
          orgId: org.id,
          displayName,
          email,
          ...(entraObjectId ? { entraObjectId } : {}),
          roles: { create: roles.map((role) => ({ role: role as never })) },
        },
      })
    ).id;
  const staff = {
    jo: await mk('Jo Smith', 'jo.smith@test.sch.uk', ['STAFF'], JO_OID),
    dana: await mk('Dana Lead', 'dsl@test.sch.uk', ['DSL', 'STAFF']),
    admin: await mk('Alex Admin', 'admin@test.sch.uk', ['ADMIN', 'STAFF']),
  };
  reserved.server.on('request', createApp(t.hub));
  return {
    ...t,
    base: reserved.base,
    orgId: org.id,
    staff,
    async audits(action) {
      const rows = await db.auditEvent.findMany({
        where: { action },
        select: { actorId: true, details: true },
        orderBy: { seq: 'asc' },
      });
      return rows.map((r) => ({ actorId: r.actorId, details: (r.details ?? {}) as Record<string, unknown> }));
    },
    async close() {
      await reserved.close();
      await t.close();
    },
  };
}
