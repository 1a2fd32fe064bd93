/**
 * Microsoft Graph as the calendar tests meet it (nock), with response shapes from Microsoft's documentation:
 * the client-credentials token (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow)
 * and a calendar event (https://learn.microsoft.com/graph/api/resources/event).
 */
import nock from 'nock';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const creds = {
  tenantId: TENANT,
  clientId: '6731de76-14a6-49ae-97bc-6eba6914391e',
  clientSecret: 'shh-test-secret',
};
export const USER = 'sendco@school.example';
export const GRAPH = 'https://graph.microsoft.com';

export const tokenOk = () =>
  nock('https://login.microsoftonline.com')
    .post(
      `/${TENANT}/oauth2/v2.0/token`,
      (body) =>
        body.grant_type === 'client_credentials' && body.scope === 'https://graph.microsoft.com/.default',
    )
    .reply(200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test',
    });

export const event = (
  id: string,
  subject: string,
  start: string,
  end: string,
  extra: Record<string, unknown> = {},
) => ({
  '@odata.etag': 'W/"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ=="',
  id,
  subject,
  categories: [],
  isAllDay: false,
  isCancelled: false,
  start: { dateTime: `${start}.0000000`, timeZone: 'UTC' },
  end: { dateTime: `${end}.0000000`, timeZone: 'UTC' },
  organizer: { emailAddress: { name: 'SENDCo', address: 'SENDCo@school.example' } },
  attendees: [
    {
      type: 'required',
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: 'DSL', address: 'dsl@school.example' },
    },
    {
      type: 'resource',
      status: { response: 'accepted', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: 'Room 4', address: 'room4@school.example' },
    },
  ],
  onlineMeeting: { joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${id}%40thread.v2/0` },
  ...extra,
});
