/**
 * The admin pages (issue 17) over real HTTP on loopback, on each database: a teacher is refused (403,
 * audited); an admin sees an import run and its rejected row by file, line, field and reason, and no value
 * from the file anywhere in the page; rota changes from the page go through the chat's rota service (audited,
 * refused with a message naming the field when they would leave no DSL), and the escalation ladder follows
 * them (a concern raised afterwards goes to the new DSL); the health page shows a message waiting.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../app/imports/run-import.ts';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { buildCsv } from '../integrations/support/export-builders.ts';
import { CONCERN_TEXT } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import { type School, seedWebSchool, signIn, startWebHub, type WebHub } from '../support/web.ts';

const CPOMS_HEADER = [
  'Incident ID',
  'Student',
  'UPN',
  'Year Group',
  'Date/Time',
  'Categories',
  'Incident',
  'Actions',
  'Reported By',
  'Status',
];
/** Values in the file that must never reach a page. */
const UNMATCHED_NAME = 'Ottoline Brackenbury';
const INCIDENT_TEXT = 'Threw a cobalt pencil sharpener at the aquarium';
const CPOMS = buildCsv(CPOMS_HEADER, [
  [
    '3001',
    'Zephyrine Quillborough',
    'A123456789012',
    '8',
    '05/11/2026 14:30',
    'Behaviour',
    INCIDENT_TEXT,
    '',
    'Ms Reed',
    'Active',
  ],
  ['3002', UNMATCHED_NAME, '', '8', '06/11/2026 10:00', 'Behaviour', INCIDENT_TEXT, '', 'Ms Reed', 'Active'],
]);

describe.each(providers)('admin pages on %s', (provider) => {
  let w: WebHub;
  let s: School;

  beforeEach(async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedWebSchool(w.hub);
  });
  afterEach(async () => {
    await w.close();
  });

  it('refuses a teacher (403, audited) and shows the admin no value from an imported file', async () => {
    const teacher = await signIn(w, 'teacher@quarrydene.example');
    for (const path of ['/app/admin/imports', '/app/admin/rota', '/app/admin/health'])
      expect((await teacher.fetch(path)).status).toBe(403);
    expect(
      (await teacher.post('/app/admin/rota/add', { level: 'DSL', email: 'teacher@quarrydene.example' }))
        .status,
    ).toBe(403);
    const refused = await w.hub.dbh.db.auditEvent.findMany({
      where: { action: 'web.forbidden', actorId: s.staff.teacher },
    });
    expect(refused.map((e) => e.subjectId).sort()).toEqual(
      ['/app/admin/health', '/app/admin/imports', '/app/admin/rota', '/app/admin/rota/add'].sort(),
    );

    const run = await runImport(w.hub, {
      orgId: s.orgId,
      kind: 'cpoms',
      source: { name: 'cpoms-week.csv', bytes: CPOMS },
      via: 'cli',
    });
    expect(run.rejected).toBe(1);
    const admin = await signIn(w, 'admin@quarrydene.example');
    const list = await (await admin.fetch('/app/admin/imports')).text();
    expect(list).toContain('cpoms-week.csv');
    expect(list).toContain('Completed with rejected rows');
    expect(list).toContain(`/app/admin/imports/${run.id}`);
    const res = await admin.fetch(`/app/admin/imports/${run.id}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Rejected rows');
    expect(page).toMatch(
      /<td class="govuk-table__cell govuk-table__cell--numeric">3<\/td>\s*<td class="govuk-table__cell">student<\/td>/,
    );
    expect(page).toContain('matches no single student');
    for (const secret of [
      UNMATCHED_NAME,
      'Ottoline',
      'Brackenbury',
      'Zephyrine',
      'Quillborough',
      'A123456789012',
      'cobalt pencil',
      'Ms Reed',
    ])
      expect(page).not.toContain(secret);
    expect(
      await w.hub.dbh.db.auditEvent.count({ where: { action: 'import.report_viewed', subjectId: run.id } }),
    ).toBe(1);
    // Another organisation's run, or no run: not found.
    expect((await admin.fetch('/app/admin/imports/nope')).status).toBe(404);
  });

  it('changes the rota through the rota service: audited, refused with the field named, followed by the ladder', async () => {
    const admin = await signIn(w, 'admin@quarrydene.example');
    // An empty rota goes by roles; a deputy alone would leave no DSL: refused, nothing written.
    let res = await admin.post('/app/admin/rota/add', {
      level: 'DEPUTY_DSL',
      email: 'deputy@quarrydene.example',
      rank: '1',
      window: 'ALWAYS',
    });
    expect(res.status).toBe(400);
    let html = await res.text();
    expect(html).toContain('The rota was not changed');
    expect(html).toContain('no DSL for school hours');
    expect(html).toContain('href="#rota-level"');
    expect(await w.hub.dbh.db.rotaEntry.count()).toBe(0);
    res = await admin.post('/app/admin/rota/add', { level: 'DSL', email: 'nobody@quarrydene.example' });
    expect(res.status).toBe(400);
    html = await res.text();
    expect(html).toContain('No active member of staff has the email nobody@quarrydene.example');
    expect(html).toContain('href="#rota-email"');

    // Dot Second becomes the DSL; two deputies, then Dev Deputy moved above Dana Lead.
    const adds: Record<string, string>[] = [
      { level: 'DSL', email: 'deputy2@quarrydene.example' },
      { level: 'DEPUTY_DSL', email: 'dsl@quarrydene.example', rank: '1' },
      { level: 'DEPUTY_DSL', email: 'deputy@quarrydene.example', rank: '2' },
      { level: 'HEAD', email: 'head@quarrydene.example' },
    ];
    for (const f of adds) {
      res = await admin.post('/app/admin/rota/add', f);
      expect(res.status).toBe(303);
    }
    const rota = await (await admin.fetch('/app/admin/rota')).text();
    expect(rota).toContain('Rota changed. Added Hal Head as head teacher');
    const key = `${s.staff.deputy}|DEPUTY_DSL|ALWAYS||`;
    expect(rota).toContain(`value="${key}"`);
    expect((await admin.post('/app/admin/rota/move', { key, by: 'up' })).status).toBe(303);
    const svc = safeguardingOf(w.hub).service;
    const ladder = await svc.ladderFor(s.orgId, w.clock.now());
    expect(ladder.map((g) => g.map((m) => m.staffId))).toEqual([
      [s.staff.deputy2],
      [s.staff.deputy, s.staff.dsl],
      [s.staff.head],
    ]);
    const audited = await w.hub.dbh.db.auditEvent.findMany({ where: { action: { startsWith: 'rota.' } } });
    expect(audited.map((a) => `${a.action} ${a.channel} ${a.actorId === s.staff.admin}`)).toEqual([
      ...Array(4).fill('rota.entry_added WEB true'),
      'rota.entry_moved WEB true',
    ]);
    // Removing the only DSL is refused, naming the problem.
    res = await admin.post('/app/admin/rota/remove', { key: `${s.staff.deputy2}|DSL|ALWAYS||` });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('no DSL for school hours');

    // The real service: a concern raised now is sent to the rota's DSL (Dot Second), not the DSL by role.
    const c = await svc.raise({
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'Neglect',
      immediateRisk: true,
      text: CONCERN_TEXT,
      actionsTaken: '',
      occurredAt: w.clock.now(),
      via: 'TEAMS',
    });
    expect(c.sentTo).toEqual(['Dot Second (DSL)']);
    const step0 = await w.hub.dbh.db.outboxMessage.findMany({
      where: { idempotencyKey: { startsWith: `concern:${c.concern.id}:step:0:` } },
      select: { recipientId: true },
    });
    expect([...new Set(step0.map((m) => m.recipientId))]).toEqual([s.staff.deputy2]);

    // The health page shows that message waiting to be delivered.
    const health = await (await admin.fetch('/app/admin/health')).text();
    const waiting = health.match(
      /Messages waiting to be delivered<\/dt>\s*<dd class="govuk-summary-list__value">(\d+)/,
    );
    expect(Number(waiting?.[1])).toBeGreaterThanOrEqual(1);
    expect(health).toContain('Oldest waiting message');
    expect(health).toContain('Microsoft Teams');
    expect(health).toContain('Needs attention');
  });
});
