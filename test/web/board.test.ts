/**
 * The DSL board over real HTTP (issue 17), on both providers: signed in by the development link as a person
 * does, the DSL sees the open concerns, unacknowledged first and red with their age; a teacher is refused
 * (403, audited); a deputy acknowledges from the page and the ladder stops (no further step in the outbox;
 * the chat's "handled" message queued for the others, the raiser told); a second acknowledge says who did;
 * a POST without the CSRF token changes nothing; the chronology is decrypted for the DSL and every view and
 * download is audited; the PDF holds the reference; a concern about a child not on the roll still shows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, PUPIL } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import { pdfText } from '../support/pdf-text.ts';
import {
  type School,
  type SignedInClient,
  seedWebSchool,
  signIn,
  startWebHub,
  type WebHub,
} from '../support/web.ts';

/** A signed-in person: GET a page, POST a form with or without its CSRF token and Origin. */
function as(w: WebHub, client: SignedInClient) {
  return {
    get: (path: string) => client.fetch(path),
    csrf: (path: string) => client.csrf(path),
    post: (path: string, form: Record<string, string>, origin: string | null = w.base) =>
      client.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
        body: new URLSearchParams(form).toString(),
      }),
  };
}

describe.each(providers)('DSL board on %s', (provider) => {
  let t: WebHub;
  let s: School;

  beforeEach(async () => {
    t = await startWebHub(provider, { now: '2026-12-07T09:00:00Z' });
    s = await seedWebSchool(t.hub);
  });
  afterEach(async () => {
    await t.close();
  });
  const person = async (email: string) => as(t, await signIn(t, email));

  const service = () => safeguardingOf(t.hub).service;
  const raise = async (
    extra: { studentId?: string | null; notOnRollName?: string; category?: string } = {},
  ) => {
    const r = await service().raise({
      orgId: s.orgId,
      studentId: extra.studentId === undefined ? s.pupil : extra.studentId,
      ...(extra.notOnRollName ? { notOnRollName: extra.notOnRollName } : {}),
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: extra.category ?? 'Neglect',
      immediateRisk: false,
      text: CONCERN_TEXT,
      actionsTaken: ACTIONS_TEXT,
      occurredAt: t.clock.now(),
      via: 'CONSOLE',
    });
    await t.tickAndDeliver();
    return r.concern.id;
  };
  const minutes = async (n: number) => {
    t.clock.advance(n * 60_000);
    await t.tickAndDeliver();
  };
  const audit = async (action: string) =>
    (await t.hub.dbh.db.auditEvent.findMany({ where: { action }, orderBy: { seq: 'asc' } })).map((e) => ({
      actorId: e.actorId,
      subjectId: e.subjectId,
      channel: e.channel,
    }));
  const keys = async (id: string) =>
    (
      await t.hub.dbh.db.outboxMessage.findMany({
        where: { idempotencyKey: { startsWith: `concern:${id}:` } },
        select: { idempotencyKey: true, state: true, recipientId: true },
      })
    ).map((m) => m.idempotencyKey);
  const rowOrder = (html: string) => [...html.matchAll(/data-ref="(C-[A-Z0-9]{6})"/g)].map((m) => m[1]);

  it('shows the DSL the open concerns, unacknowledged first and red with their age; a teacher is refused', async () => {
    const older = await raise({ category: 'Physical abuse' });
    await minutes(10);
    const handled = await raise();
    await service().acknowledge(
      await t.hub.staff.actorForStaff(s.staff.dsl).then((a) => a!),
      handled,
      'TEAMS',
      true,
    );
    await minutes(5);
    const newer = await raise({ category: 'Online safety' });
    await minutes(14);

    const dsl = await person('dsl@quarrydene.example');
    const r = await dsl.get('/app/board');
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(rowOrder(html)).toEqual([concernRef(older), concernRef(newer), concernRef(handled)]);
    expect(html).toContain('unacknowledged for 29 min');
    expect(html).toContain('unacknowledged for 14 min');
    expect(html).toContain('raised 19 min ago');
    expect(html.match(/govuk-tag--red/g)?.length).toBe(2);
    expect(html).toContain(`${PUPIL.givenName} ${PUPIL.familyName}`);
    expect(html).toContain('DSL → deputy DSL'); // the older one has climbed a step (15 min)
    expect(html).toContain('Dana Lead'); // owner of the handled one
    expect(html).toContain('2 concerns are waiting to be acknowledged.');
    // The filter is a plain GET form: status=owned shows only the owned one.
    const owned = await (await dsl.get('/app/board?status=owned')).text();
    expect(rowOrder(owned)).toEqual([concernRef(handled)]);
    const cat = await (await dsl.get('/app/board?category=Online+safety')).text();
    expect(rowOrder(cat)).toEqual([concernRef(newer)]);
    expect((await audit('concern.board_viewed')).length).toBe(3);

    const teacher = await person('teacher@quarrydene.example');
    const refused = await teacher.get('/app/board');
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(PUPIL.familyName);
    expect(await audit('web.forbidden')).toEqual([
      { actorId: s.staff.teacher, subjectId: '/app/board', channel: 'WEB' },
    ]);
    expect((await teacher.get(`/app/board/concerns/${concernRef(older)}`)).status).toBe(403);
    expect((await audit('concern.record_viewed')).length).toBe(0);
  });

  it('a deputy acknowledges from the page: the ladder stops, the others are told in chat; a second says who did', async () => {
    const id = await raise();
    await minutes(16); // step 1: the deputies
    expect(await keys(id)).toContain(`concern:${id}:step:1:${s.staff.deputy}`);
    const ref = concernRef(id);

    const deputy = await person('deputy@quarrydene.example');
    // Without the CSRF token (or from another site) nothing changes.
    expect((await deputy.post(`/app/board/concerns/${ref}/acknowledge`, {})).status).toBe(403);
    const token = await deputy.csrf('/app/board');
    expect(
      (await deputy.post(`/app/board/concerns/${ref}/acknowledge`, { csrf: token }, 'https://evil.example'))
        .status,
    ).toBe(403);
    expect((await service().concerns.byId(id))?.status).toBe('RAISED');

    const r = await deputy.post(`/app/board/concerns/${ref}/acknowledge`, {
      csrf: token,
      back: '/app/board',
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/app/board');
    const after = await (await deputy.get('/app/board')).text();
    expect(after).toContain(
      `Concern ${ref} acknowledged. The ladder has stopped and the others have been told.`,
    );
    expect(after).not.toContain('govuk-tag--red');
    const c = await service().concerns.byId(id);
    expect(c?.status).toBe('ACKNOWLEDGED');
    expect(c?.acknowledgedById).toBe(s.staff.deputy);
    expect(await audit('concern.acknowledged')).toEqual([
      { actorId: s.staff.deputy, subjectId: id, channel: 'WEB' },
    ]);

    // The chat side: the DSL and the other deputy are told it is handled, the raiser who has it.
    const k = await keys(id);
    expect(k).toContain(`concern:${id}:handled:${s.staff.dsl}`);
    expect(k).toContain(`concern:${id}:handled:${s.staff.deputy2}`);
    expect(k).toContain(`concern:${id}:raiser-ack`);
    await t.hub.deliverer.drainAll();
    expect(t.consoleOut.text()).toContain(`Concern ${ref} for Z.Q. (Y8) is handled`);
    expect(t.consoleOut.text()).toContain('Acknowledged by Dev Deputy');

    // The ladder has stopped: an hour later no further step was queued.
    await minutes(60);
    expect((await keys(id)).filter((x) => /:step:[2-9]:/.test(x))).toEqual([]);

    // A second acknowledge (the DSL, from the page) says who already did, and changes nothing.
    const dsl = await person('dsl@quarrydene.example');
    const again = await dsl.post(`/app/board/concerns/${ref}/acknowledge`, {
      csrf: await dsl.csrf('/app/board'),
    });
    expect(again.status).toBe(303);
    expect(await (await dsl.get('/app/board')).text()).toContain(
      `Concern ${ref} was already acknowledged by Dev Deputy: nothing changed.`,
    );
    expect((await service().concerns.byId(id))?.acknowledgedById).toBe(s.staff.deputy);

    // Take ownership from the chronology page.
    const own = await dsl.post(`/app/board/concerns/${ref}/own`, {
      csrf: await dsl.csrf('/app/board'),
      back: 'chronology',
    });
    expect(own.headers.get('location')).toBe(`/app/board/concerns/${ref}`);
    expect((await service().concerns.byId(id))?.ownerId).toBe(s.staff.dsl);
    // Her own concern offers her no "Take ownership" any more; the deputy still may take it over.
    expect(await (await dsl.get(`/app/board/concerns/${ref}`)).text()).not.toContain(
      '>Take ownership</button>',
    );
    expect(await (await deputy.get(`/app/board/concerns/${ref}`)).text()).toContain(
      '>Take ownership</button>',
    );
    expect(await audit('concern.owned')).toEqual([{ actorId: s.staff.dsl, subjectId: id, channel: 'WEB' }]);
  });

  it('shows the chronology decrypted to the DSL, audited; the PDF holds the reference, its download audited', async () => {
    const id = await raise();
    await minutes(3);
    const ref = concernRef(id);
    const dsl = await person('dsl@quarrydene.example');
    await dsl.post(`/app/board/concerns/${ref}/acknowledge`, { csrf: await dsl.csrf('/app/board') });

    const page = await dsl.get(`/app/board/concerns/${ref}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`${PUPIL.givenName} ${PUPIL.familyName}`);
    expect(html).toContain(CONCERN_TEXT);
    expect(html).toContain(ACTIONS_TEXT);
    expect(html).toContain('Concern raised');
    expect(html).toContain('Alert sent to the DSL (step 1)');
    expect(html).toContain('Acknowledged (3 min after it was raised)');
    // Printable: the page's own style sheet (served from web/public) hides the navigation and buttons in print.
    const css = /href="(\/assets\/app\/board\.css[^"]*)"/.exec(html)?.[1] ?? '';
    const sheet = await dsl.get(css.replaceAll('&amp;', '&'));
    expect(sheet.status).toBe(200);
    expect(await sheet.text()).toContain('@media print');
    expect(await audit('concern.record_viewed')).toEqual([
      { actorId: s.staff.dsl, subjectId: id, channel: 'WEB' },
    ]);

    const pdf = await dsl.get(`/app/board/concerns/${ref}?format=pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('%PDF');
    const text = await pdfText(bytes);
    expect(text).toContain(ref);
    expect(text).toContain('Record viewed');
    expect(text).toContain(CONCERN_TEXT); // the record itself, for the conference
    expect(await audit('concern.chronology_exported')).toEqual([
      { actorId: s.staff.dsl, subjectId: id, channel: 'WEB' },
    ]);

    expect((await dsl.get('/app/board/concerns/C-ZZZZZZ')).status).toBe(404);
    expect((await dsl.get('/app/board/concerns/not-a-ref')).status).toBe(404);
  });

  it("shows a concern about a child not on the roll, by the name as given; never another school's", async () => {
    const id = await raise({ studentId: null, notOnRollName: 'Kai Hospital-Patient' });
    const dsl = await person('dsl@quarrydene.example');
    const html = await (await dsl.get('/app/board')).text();
    expect(rowOrder(html)).toEqual([concernRef(id)]);
    expect(html).toContain('Kai Hospital-Patient (not on roll)');
    const page = await (await dsl.get(`/app/board/concerns/${concernRef(id)}`)).text();
    expect(page).toContain('Kai Hospital-Patient (not on roll)');

    // Another school's concern is neither listed nor opened (404), and nothing of it is shown.
    const other = await t.hub.dbh.db.organisation.create({ data: { name: 'Other School' } });
    const theirs = await service().raise({
      orgId: other.id,
      studentId: null,
      notOnRollName: 'Kai Hospital-Patient',
      raisedById: null,
      source: 'chat',
      externalId: null,
      category: 'Radicalisation',
      immediateRisk: false,
      text: CONCERN_TEXT,
      actionsTaken: '',
      occurredAt: t.clock.now(),
      via: 'CLI',
    });
    const ref = concernRef(theirs.concern.id);
    expect(rowOrder(await (await dsl.get('/app/board')).text())).toEqual([concernRef(id)]);
    const refused = await dsl.get(`/app/board/concerns/${ref}`);
    expect(refused.status).toBe(404);
    expect(await refused.text()).not.toContain('Radicalisation');
    const ack = await dsl.post(`/app/board/concerns/${ref}/acknowledge`, {
      csrf: await dsl.csrf('/app/board'),
    });
    expect(ack.status).toBe(404);
    expect((await service().concerns.byId(theirs.concern.id))?.status).toBe('RAISED');
  });
});
