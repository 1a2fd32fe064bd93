/**
 * Audit finding 9, over real HTTP as the person: a school's head who is also its admin is offered no
 * "Timeliness" link (the page is a local authority's: SEN2), and opening it says the page is for local
 * authorities instead of telling him to ask his admin; an LA's SEN team manager still has the link and the
 * page; a school's SENDCo (not an admin) is not told to ask the admin for a page no role opens at a school.
 * Both databases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { seedLocalAuthority, seedWebSchool, signIn, startWebHub, type WebHub } from '../support/web.ts';

describe.each(providers)('the timeliness link and refusal (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('shown only where the page opens; the refusal does not send an admin to the admin', async () => {
    w = await startWebHub(provider, { now: '2026-12-07T09:00:00Z' });
    const school = await seedWebSchool(w.hub);
    const la = await seedLocalAuthority(w.hub);
    const db = w.hub.dbh.db;
    await db.staffRole.create({ data: { staffId: school.staff.head, role: 'ADMIN' } });

    const head = await signIn(w, 'head@quarrydene.example');
    const home = await (await head.fetch('/app')).text();
    expect(home).not.toContain('/app/timeliness');
    expect(home).not.toContain('Timeliness');
    const refused = await head.fetch('/app/timeliness');
    expect(refused.status).toBe(403);
    const words = await refused.text();
    expect(words).toContain('This page is for local authorities');
    expect(words).not.toContain('ask your SEND Hub admin');

    const manager = await signIn(w, la.emails.manager);
    expect(await (await manager.fetch('/app')).text()).toContain('/app/timeliness');
    expect((await manager.fetch('/app/timeliness')).status).toBe(200);
    const laAdmin = await signIn(w, la.emails.admin);
    expect(await (await laAdmin.fetch('/app')).text()).toContain('/app/timeliness');

    // An LA officer without the role: the usual refusal (ask the admin, who can give the role).
    const officer = await signIn(w, la.emails.officer1);
    const no = await officer.fetch('/app/timeliness');
    expect(no.status).toBe(403);
    expect(await no.text()).toContain('ask your SEND Hub admin');
    expect(
      await db.auditEvent.count({ where: { action: 'web.forbidden', subjectId: '/app/timeliness' } }),
    ).toBe(2);
  });
});
