/**
 * Microsoft Graph's time zones and transport against nock: calendarView paging
 * (https://learn.microsoft.com/graph/api/user-list-calendarview), throttling
 * (https://learn.microsoft.com/graph/throttling), sign-in errors (AADSTS7000215) and group expansion.
 * The sync into meetings: graph-calendar.test.ts.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { ianaZone } from '../../integrations/graph-calendar/graph-time.ts';
import { createGraphClient, GraphAuthError } from '../../integrations/graph-calendar/graph-transport.ts';
import { GraphCalendarReader } from '../../integrations/graph-calendar/read-graph-calendar.ts';
import { creds, event, GRAPH, TENANT, tokenOk, USER } from './support/graph-builders.ts';

describe('Graph time zones', () => {
  it('maps Windows names with the CLDR windowsZones table and passes IANA names through', () => {
    expect(ianaZone('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(ianaZone('GMT Standard Time')).toBe('Europe/London');
    expect(ianaZone('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(ianaZone('India Standard Time')).toBe('Asia/Calcutta');
    expect(ianaZone('UTC')).toBe('Etc/UTC');
    expect(ianaZone('Europe/London')).toBe('Europe/London');
    expect(ianaZone(undefined)).toBe('UTC');
    expect(ianaZone('tzone://Microsoft/Custom')).toBeNull();
    expect(ianaZone('Mars Standard Time')).toBeNull();
  });
});

describe('Graph transport', () => {
  afterEach(() => nock.cleanAll());

  it('follows @odata.nextLink pages and honours 429 Retry-After', async () => {
    tokenOk();
    const waits: number[] = [];
    const reader = new GraphCalendarReader(
      createGraphClient(creds, { sleep: async (ms) => void waits.push(ms) }),
    );
    const scope = nock(GRAPH)
      .get(`/v1.0/users/${encodeURIComponent(USER)}/calendarView`)
      .query(true)
      .reply(
        429,
        { error: { code: 'TooManyRequests', message: 'Please retry again later.' } },
        { 'Retry-After': '7' },
      )
      .get(`/v1.0/users/${encodeURIComponent(USER)}/calendarView`)
      .query(true)
      .reply(200, {
        '@odata.context': `${GRAPH}/v1.0/$metadata#users('${USER}')/calendarView`,
        value: [event('AAMkA1', 'TAC meeting', '2026-11-03T10:00:00', '2026-11-03T11:00:00')],
        '@odata.nextLink': `${GRAPH}/v1.0/users/${USER}/calendarView?startDateTime=2026-11-01T00%3a00%3a00Z&endDateTime=2026-12-01T00%3a00%3a00Z&%24top=1&%24skip=1`,
      })
      .get(`/v1.0/users/${USER}/calendarView`)
      .query((q) => q.$skip === '1')
      .reply(503, {}, { 'Retry-After': '3' })
      .get(`/v1.0/users/${USER}/calendarView`)
      .query((q) => q.$skip === '1')
      .reply(200, { value: [event('AAMkA2', 'PEP review', '2026-11-04T10:00:00', '2026-11-04T11:00:00')] });
    const events = await reader.calendarView(
      USER,
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(events.map((e) => e.id)).toEqual(['AAMkA1', 'AAMkA2']);
    expect(waits).toEqual([7000, 3000]);
    expect(scope.isDone()).toBe(true);
  });

  it('reports a sign-in failure with one actionable line and no secret', async () => {
    nock('https://login.microsoftonline.com')
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .reply(401, {
        error: 'invalid_client',
        error_description:
          "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6731de76-14a6-49ae-97bc-6eba6914391e'.",
        error_codes: [7000215],
        timestamp: '2026-11-24 09:00:00Z',
        trace_id: '0000aaaa-11bb-cccc-dd22-eeeeee333333',
        correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd',
      });
    const reader = new GraphCalendarReader(createGraphClient(creds, { sleep: async () => {} }));
    const err = await reader
      .calendarView(USER, new Date('2026-11-01'), new Date('2026-12-01'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphAuthError);
    expect((err as Error).message).toBe(
      'Microsoft Graph sign-in failed: invalid_client (AADSTS7000215): check GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and admin consent for Calendars.Read',
    );
    expect((err as Error).message).not.toContain('shh');
  });

  it("expands a group to its members' mailboxes across pages", async () => {
    tokenOk();
    const gid = '02bd9fd6-8f93-4758-87c3-1fb73740a315';
    nock(GRAPH)
      .get(`/v1.0/groups/${gid}/members/microsoft.graph.user`)
      .query(true)
      .reply(200, {
        '@odata.context': `${GRAPH}/v1.0/$metadata#users(id,mail,userPrincipalName)`,
        '@odata.nextLink': `${GRAPH}/v1.0/groups/${gid}/members/microsoft.graph.user?$skiptoken=X%2744537074%27`,
        value: [
          {
            id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
            mail: 'DSL@school.example',
            userPrincipalName: 'dsl@school.example',
          },
          {
            id: '626cbf8c-5dde-46b0-8385-9e40d64736fe',
            mail: null,
            userPrincipalName: 'noshmailbox@school.example',
          },
        ],
      })
      .get(`/v1.0/groups/${gid}/members/microsoft.graph.user`)
      .query({ $skiptoken: "X'44537074'" })
      .reply(200, {
        value: [{ id: 'a1', mail: 'sendco@school.example', userPrincipalName: 'sendco@school.example' }],
      });
    const reader = new GraphCalendarReader(createGraphClient(creds, { sleep: async () => {} }));
    expect(await reader.groupMembers(gid)).toEqual(['dsl@school.example', 'sendco@school.example']);
  });

  it('gives up after the retry cap when Graph keeps throttling', async () => {
    tokenOk();
    nock(GRAPH)
      .get(/calendarView/)
      .times(3)
      .reply(429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '1' });
    const reader = new GraphCalendarReader(
      createGraphClient(creds, { sleep: async () => {}, maxRetries: 2 }),
    );
    await expect(reader.calendarView(USER, new Date('2026-11-01'), new Date('2026-12-01'))).rejects.toThrow(
      /Microsoft Graph calendarView: HTTP 429/,
    );
  });
});
