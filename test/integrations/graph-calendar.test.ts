/**
 * Microsoft Graph calendar sync against nock, with response shapes from Microsoft's documentation:
 * token (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow),
 * calendarView paging and delta (https://learn.microsoft.com/graph/api/event-delta), throttling
 * (https://learn.microsoft.com/graph/throttling) and sign-in errors (AADSTS7000215). Time zones and the
 * transport alone: graph-transport.test.ts.
 */
import fs from 'node:fs';
import { Command } from 'commander';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerImportCli } from '../../app/imports/import-cli.ts';
import { syncGraphCalendars } from '../../app/imports/sync-graph-calendars.ts';
import { createGraphClient } from '../../integrations/graph-calendar/graph-transport.ts';
import { eventRef } from '../../integrations/graph-calendar/read-graph-calendar.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { creds, event, GRAPH, TENANT, tokenOk, USER } from './support/graph-builders.ts';

describe.each(providers)('syncGraphCalendars on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  beforeEach(async () => {
    t = await startTestHub(provider, {
      now: '2026-11-01T08:00:00Z',
      modules: [],
      env: { GRAPH_CALENDAR_USERS: USER },
    });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
    await t.hub.dbh.db.staff.create({ data: { orgId, displayName: 'DSL', email: 'dsl@school.example' } });
    await t.hub.dbh.db.student.create({
      data: { orgId, upn: 'A123456789012', givenName: 'Amelia', familyName: 'Brook', yearGroup: '7' },
    });
  });
  afterEach(async () => {
    nock.cleanAll();
    await t.close();
  });

  it('maps events to meetings, then applies a delta (changed, removed) via the stored deltaLink', async () => {
    tokenOk();
    const deltaPath = `/v1.0/users/${encodeURIComponent(USER)}/calendarView/delta`;
    nock(GRAPH)
      .get(deltaPath)
      .query((q) => !!q.startDateTime && !q.$deltatoken && !q.$skiptoken)
      .reply(200, {
        '@odata.context': `${GRAPH}/v1.0/$metadata#Collection(event)`,
        '@odata.nextLink': `${GRAPH}${deltaPath}?$skiptoken=R0usmcCM996atia_s`,
        value: [
          event(
            'AAMkE1',
            'Initial child protection conference',
            '2026-11-05T14:00:00',
            '2026-11-05T15:30:00',
            { categories: ['Safeguarding'] },
          ),
          event('AAMkE2', 'Annual review A123456789012', '2026-11-10T09:00:00', '2026-11-10T10:00:00'),
        ],
      })
      .get(deltaPath)
      .query({ $skiptoken: 'R0usmcCM996atia_s' })
      .reply(200, {
        '@odata.deltaLink': `${GRAPH}${deltaPath}?$deltatoken=R0usmci39OQxqJrxK4`,
        value: [
          event('AAMkE3', 'Staff briefing', '2026-11-06T08:00:00', '2026-11-06T08:30:00', {
            onlineMeeting: null,
          }),
        ],
      });
    const changed: string[][] = [];
    t.hub.events.on('meetings.changed', (p) => void changed.push(p.meetingIds));
    const client = createGraphClient(creds, { sleep: async () => {} });
    const first = await syncGraphCalendars(t.hub, { orgId, client });
    expect(first).toEqual({
      users: 1,
      created: 3,
      updated: 0,
      unchanged: 0,
      cancelled: 0,
      invalid: 0,
      failed: 0,
      problems: [],
    });
    const db = t.hub.dbh.db;
    const ms = await db.meeting.findMany({
      where: { orgId },
      orderBy: { startsAt: 'asc' },
      include: { attendees: true },
    });
    expect(ms.map((m) => [m.externalId, m.kind, m.startsAt.toISOString()])).toEqual([
      ['AAMkE1', 'CP_CONFERENCE', '2026-11-05T14:00:00.000Z'],
      ['AAMkE3', 'OTHER', '2026-11-06T08:00:00.000Z'],
      ['AAMkE2', 'EHCP_ANNUAL_REVIEW', '2026-11-10T09:00:00.000Z'],
    ]);
    expect(ms[0]).toMatchObject({ source: `graph:${USER}`, organiserEmail: 'sendco@school.example' });
    expect(ms[0]?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(ms[0]?.attendees.map((a) => a.email)).toEqual(['dsl@school.example']); // the room is not a person
    expect(ms[0]?.attendees[0]?.staffId).toBeTruthy();
    expect(ms[2]?.studentId).toBeTruthy();
    expect(changed).toHaveLength(1);

    // Second round: only the deltaLink is called; E1 moved, E3 removed.
    nock(GRAPH)
      .get(deltaPath)
      .query({ $deltatoken: 'R0usmci39OQxqJrxK4' })
      .reply(200, {
        '@odata.deltaLink': `${GRAPH}${deltaPath}?$deltatoken=R0usmcJFmEWXqr_x`,
        value: [
          event(
            'AAMkE1',
            'Initial child protection conference',
            '2026-11-05T15:00:00',
            '2026-11-05T16:30:00',
            { categories: ['Safeguarding'] },
          ),
          { '@odata.type': '#microsoft.graph.event', id: 'AAMkE3', '@removed': { reason: 'deleted' } },
        ],
      });
    const second = await syncGraphCalendars(t.hub, { orgId, client });
    expect(second).toMatchObject({
      users: 1,
      created: 0,
      updated: 1,
      unchanged: 0,
      cancelled: 1,
      invalid: 0,
    });
    const e1 = await db.meeting.findFirstOrThrow({ where: { externalId: 'AAMkE1' } });
    expect(e1.startsAt.toISOString()).toBe('2026-11-05T15:00:00.000Z');
    expect((await db.meeting.findFirstOrThrow({ where: { externalId: 'AAMkE3' } })).status).toBe('CANCELLED');
    expect(changed).toHaveLength(2);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('maps Windows zone names (CLDR), leaves out one bad event at a time, and keeps one failing mailbox from stopping the others', async () => {
    tokenOk();
    const users = ['sendco@school.example', 'gone@school.example', 'dsl@school.example'];
    const deltaPath = (u: string) => `/v1.0/users/${encodeURIComponent(u)}/calendarView/delta`;
    const page = JSON.parse(fs.readFileSync('test/fixtures/graph/delta-mixed-zones.json', 'utf8'));
    nock(GRAPH)
      .get(deltaPath(users[0] as string))
      .query(true)
      .reply(200, page)
      .get(deltaPath(users[1] as string))
      .query(true)
      .reply(404, {
        error: { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' },
      })
      .get(deltaPath(users[2] as string))
      .query(true)
      .reply(200, {
        '@odata.deltaLink': `${GRAPH}${deltaPath(users[2] as string)}?$deltatoken=dsl-1`,
        value: [event('AAMkDSL1', 'Safeguarding supervision', '2026-11-09T15:00:00', '2026-11-09T16:00:00')],
      });
    const client = createGraphClient(creds, { sleep: async () => {} });
    const r = await syncGraphCalendars(t.hub, { orgId, client, users });
    expect(r).toMatchObject({ users: 2, created: 6, invalid: 4, failed: 1 });
    const ref = (suffix: string) => eventRef(`AAMkAGIAAAoZDOFAAA=-${suffix}`);
    expect(r.problems).toEqual([
      {
        user: 1,
        event: ref('nostart'),
        field: 'start',
        reason: 'expected object',
      },
      {
        user: 1,
        event: ref('custom'),
        field: 'start.timeZone',
        reason: 'not a Windows (CLDR windowsZones) or IANA time-zone name',
      },
      {
        user: 1,
        event: ref('unknown'),
        field: 'start.timeZone',
        reason: 'not a Windows (CLDR windowsZones) or IANA time-zone name',
      },
      {
        user: 1,
        event: ref('baddate'),
        field: 'start.dateTime',
        reason: 'not a real calendar date and time',
      },
      { user: 2, reason: 'Microsoft Graph calendarView delta: HTTP 404 ErrorItemNotFound' },
    ]);
    const starts = Object.fromEntries(
      (await t.hub.dbh.db.meeting.findMany({ where: { orgId } })).map((m) => [
        m.externalId,
        m.startsAt.toISOString(),
      ]),
    );
    expect(starts).toEqual({
      'AAMkAGIAAAoZDOFAAA=-pst': '2026-11-12T10:00:00.000Z', // 02:00 Pacific (PST, UTC-8)
      'AAMkAGIAAAoZDOFAAA=-gmt': '2026-07-01T08:30:00.000Z', // 09:30 London in summer (BST)
      'AAMkAGIAAAoZDOFAAA=-weu': '2026-11-13T08:00:00.000Z', // 09:00 Berlin (CET)
      'AAMkAGIAAAoZDOFAAA=-iana': '2026-11-16T08:00:00.000Z',
      'AAMkAGIAAAoZDOFAAA=-allday': '2026-11-20T00:00:00.000Z',
      AAMkDSL1: '2026-11-09T15:00:00.000Z', // the mailbox after the failing one is synced
    });
    // Reasons and log lines name the position, the event hash, the field and the rule, never a subject.
    expect(JSON.stringify(r.problems)).not.toMatch(/Mars|Custom|annual|gone@/i);
    expect(t.logOut.text()).not.toMatch(/Mars Standard|Zone nobody knows|gone@school/);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a failed sign-in stops the round with one line (every mailbox would fail the same way)', async () => {
    nock('https://login.microsoftonline.com')
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .reply(400, { error: 'invalid_request', error_codes: [90002] });
    const client = createGraphClient(creds, { sleep: async () => {} });
    await expect(
      syncGraphCalendars(t.hub, { orgId, client, users: [USER, 'dsl@school.example'] }),
    ).rejects.toThrow('Microsoft Graph sign-in failed: invalid_request (AADSTS90002)');
  });
});

describe.each(providers)('send-hub import graph on %s', (provider) => {
  it('prints what was synced, each event left out and each mailbox not synced, by position and rule', async () => {
    const t = await startTestHub(provider, {
      now: '2026-11-01T08:00:00Z',
      modules: [],
      env: {
        GRAPH_TENANT_ID: TENANT,
        GRAPH_CLIENT_ID: creds.clientId,
        GRAPH_CLIENT_SECRET: creds.clientSecret,
        GRAPH_CALENDAR_USERS: `${USER},gone@school.example`,
        GRAPH_CALENDAR_GROUPS: 'grp-no-consent',
      },
    });
    try {
      await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } });
      tokenOk();
      const deltaPath = (u: string) => `/v1.0/users/${encodeURIComponent(u)}/calendarView/delta`;
      nock(GRAPH)
        .get(deltaPath(USER))
        .query(true)
        .reply(200, {
          '@odata.deltaLink': `${GRAPH}${deltaPath(USER)}?$deltatoken=t1`,
          value: [
            event('AAMkP1', 'Annual review', '2026-11-12T02:00:00', '2026-11-12T03:00:00', {
              start: { dateTime: '2026-11-12T02:00:00.0000000', timeZone: 'Pacific Standard Time' },
              end: { dateTime: '2026-11-12T03:00:00.0000000', timeZone: 'Pacific Standard Time' },
            }),
            event('AAMkP2', 'Secret subject', '2026-11-12T02:00:00', '2026-11-12T03:00:00', {
              start: { dateTime: '2026-11-12T02:00:00.0000000', timeZone: 'tzone://Microsoft/Custom' },
            }),
          ],
        })
        .get('/v1.0/groups/grp-no-consent/members/microsoft.graph.user')
        .query(true)
        .reply(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' } })
        .get(deltaPath('gone@school.example'))
        .query(true)
        .reply(404, { error: { code: 'ErrorItemNotFound', message: 'The specified object was not found.' } });
      const out: string[] = [];
      const err: string[] = [];
      let code = 0;
      const program = new Command('send-hub').exitOverride();
      registerImportCli(
        program,
        async () => t.hub,
        async () => {},
        {
          out: (l) => void out.push(l),
          err: (l) => void err.push(l),
          isTTY: false,
          setExitCode: (c) => {
            code = c;
          },
        },
      );
      await program.parseAsync(['node', 'send-hub', 'import', 'graph']);
      expect(code).toBe(0);
      expect(err).toEqual([]);
      expect(out).toEqual([
        'Graph: 1 calendars; meetings created 1, updated 0, unchanged 0, cancelled 0; 1 event(s) left out; 2 calendar(s) not synced',
        '  group 1: Microsoft Graph refused group members: HTTP 403 Authorization_RequestDenied: grant Calendars.Read (application) and admin consent',
        `  user 1, ${eventRef('AAMkP2')}, start.timeZone: not a Windows (CLDR windowsZones) or IANA time-zone name`,
        '  user 2: Microsoft Graph calendarView delta: HTTP 404 ErrorItemNotFound',
      ]);
      const m = await t.hub.dbh.db.meeting.findFirstOrThrow({ where: { externalId: 'AAMkP1' } });
      expect(m.startsAt.toISOString()).toBe('2026-11-12T10:00:00.000Z');
    } finally {
      nock.cleanAll();
      await t.close();
    }
  });
});
