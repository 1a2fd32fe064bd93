import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { readIcsFeed } from '../../integrations/ics/read-ics-feed.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { buildIcs } from './support/ics-builder.ts';

const window = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };

/** Weekly TAC from Tue 20 Oct 2026 10:00 BST; clocks go back Sun 25 Oct 2026 (02:00 BST -> 01:00 GMT). */
const tacSeries = [
  {
    uid: 'tac-series@school.example',
    summary: 'TAC meeting',
    start: '20261020T100000',
    end: '20261020T110000',
    rrule: 'FREQ=WEEKLY;COUNT=5',
    exdates: ['20261103T100000'],
    attendees: ['sendco@school.example', 'visitor@la.example'],
    organizer: 'sendco@school.example',
  },
  {
    uid: 'tac-series@school.example',
    recurrenceId: '20261027T100000',
    summary: 'TAC meeting (moved)',
    start: '20261027T140000',
    end: '20261027T150000',
    attendees: ['sendco@school.example'],
  },
  {
    uid: 'tac-series@school.example',
    recurrenceId: '20261110T100000',
    summary: 'TAC meeting',
    start: '20261110T100000',
    end: '20261110T110000',
    status: 'CANCELLED' as const,
  },
];

describe('readIcsFeed', () => {
  for (const withTimezone of [true, false]) {
    it(`expands RRULE with EXDATE and RECURRENCE-ID overrides across the October clock change (VTIMEZONE ${withTimezone ? 'in feed' : 'supplied'})`, () => {
      const occ = readIcsFeed(buildIcs(tacSeries, { withTimezone }), 'tac.ics', window);
      expect(occ.map((o) => [o.start.toISOString(), o.summary, o.cancelled])).toEqual([
        ['2026-10-20T09:00:00.000Z', 'TAC meeting', false], // BST: UTC+1
        ['2026-10-27T14:00:00.000Z', 'TAC meeting (moved)', false], // GMT after 25 Oct, moved to 14:00
        // 3 Nov removed by EXDATE
        ['2026-11-10T10:00:00.000Z', 'TAC meeting', true], // GMT: 10:00 local = 10:00Z, cancelled instance
        ['2026-11-17T10:00:00.000Z', 'TAC meeting', false],
      ]);
      expect(new Set(occ.map((o) => o.externalId)).size).toBe(4);
    });
  }

  it('reads all-day events with an exclusive DTEND and the spring clock change', () => {
    const occ = readIcsFeed(
      buildIcs([
        { uid: 'ht', summary: 'Half Term', start: '20261026', end: '20261031' },
        { uid: 'pep', summary: 'PEP review', start: '20270330T090000', end: '20270330T100000' },
      ]),
      'x.ics',
      { from: window.from, to: new Date('2027-06-01') },
    );
    expect(occ[0]).toMatchObject({ allDay: true, startDate: '2026-10-26', lastDate: '2026-10-30' });
    expect(occ[1]?.start.toISOString()).toBe('2027-03-30T08:00:00.000Z'); // BST again after 28 Mar 2027
  });

  it('an instance moved beyond the window does not end the series early', () => {
    const occ = readIcsFeed(
      buildIcs([
        {
          uid: 's',
          summary: 'PEP',
          start: '20261002T090000',
          end: '20261002T100000',
          rrule: 'FREQ=WEEKLY;COUNT=4',
        },
        {
          uid: 's',
          recurrenceId: '20261009T090000',
          summary: 'PEP (moved)',
          start: '20270601T090000',
          end: '20270601T100000',
        },
      ]),
      'm.ics',
      window,
    );
    expect(occ.map((o) => o.start.toISOString())).toEqual([
      '2026-10-02T08:00:00.000Z',
      '2026-10-16T08:00:00.000Z',
      '2026-10-23T08:00:00.000Z',
    ]);
  });

  it('rejects an event with a bad value (naming feed, event and field, not the value) and keeps the good ones', () => {
    const ev = (uid: string, ...lines: string[]) =>
      ['BEGIN:VEVENT', `UID:${uid}`, 'SUMMARY:Review', ...lines, 'END:VEVENT'].join('\r\n');
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      ev('good', 'DTSTART:20261005T090000Z', 'DTEND:20261005T100000Z'),
      // EXDATE as a bare date without VALUE=DATE: ical.js throws "invalid date-time value".
      ev('bad-exdate', 'DTSTART:20261006T090000Z', 'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20251225'),
      ev('bad-start', 'DTSTART:2027-01-31T::'),
      ev('bad-tz', 'DTSTART;TZID=Mars/Olympus:20261007T090000'),
      ev('bad-count', 'DTSTART:20261008T090000Z', 'RRULE:FREQ=DAILY;COUNT=-1'),
      // Bounded: a huge COUNT every second still returns promptly.
      ev('huge', 'DTSTART:20261009T090000Z', 'RRULE:FREQ=SECONDLY;COUNT=100000'),
      // No date satisfies this rule: ical.js would search for ever inside one step.
      ev('never', 'DTSTART:20261010T090000Z', 'RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30'),
      'END:VCALENDAR',
    ].join('\r\n');
    const rejected: Parameters<typeof readIcsFeed>[3] = [];
    const occ = readIcsFeed(text, 'school.ics', window, rejected);
    expect(occ.filter((o) => o.uid === 'good').map((o) => o.start.toISOString())).toEqual([
      '2026-10-05T09:00:00.000Z',
    ]);
    expect(occ.filter((o) => o.uid === 'huge').length).toBe(5000);
    expect(rejected.map((r) => [r.file, r.event, r.field])).toEqual([
      ['school.ics', 'event UID bad-exdate', 'EXDATE'],
      ['school.ics', 'event UID bad-start', 'DTSTART'],
      ['school.ics', 'event UID bad-tz', 'DTSTART'],
      ['school.ics', 'event UID bad-count', 'RRULE'],
      ['school.ics', 'event UID never', 'RRULE'],
    ]);
    // Each names the line of the property at fault (header 2, good 6, bad-exdate 7 …).
    expect(rejected.map((r) => r.line)).toEqual([14, 19, 24, 30, 42]);
    for (const r of rejected) expect(text.split('\r\n')[r.line - 1]).toMatch(new RegExp(`^${r.field}[;:]`));
    for (const r of rejected) {
      expect(r.reason).toMatch(/^(expected|unknown time zone|recurrence rule matches no date)/);
      for (const bad of ['20251225', '2027-01-31', 'Mars', '-1']) expect(r.reason).not.toContain(bad);
    }
  });

  it('refuses a truncated file and a binary file with one clear line', () => {
    const full = buildIcs(tacSeries);
    expect(() => readIcsFeed(full.slice(0, full.length / 2), 't.ics', window)).toThrow(
      /t\.ics: refused: truncated/,
    );
    expect(() => readIcsFeed('\x89PNG\r\n\x1a\n\0\0', 'b.ics', window)).toThrow(
      /b\.ics: refused: not an iCalendar/,
    );
  });
});

describe.each(providers)('syncIcsFeed on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-10-01T09:00:00Z', modules: [] });
    const db = t.hub.dbh.db;
    orgId = (await db.organisation.create({ data: { name: 'Test school' } })).id;
    await db.staff.create({ data: { orgId, displayName: 'SENDCo', email: 'sendco@school.example' } });
    await db.student.create({
      data: { orgId, upn: 'A123456789012', givenName: 'Amelia', familyName: 'Brook', yearGroup: '7' },
    });
    await db.student.create({ data: { orgId, givenName: 'Jordan', familyName: 'Pike', yearGroup: '9' } });
  });
  afterEach(async () => t.close());

  const feed = buildIcs([
    ...tacSeries,
    {
      uid: 'ar-1',
      summary: 'EHCP annual review A123456789012',
      start: '20261105T093000',
      end: '20261105T103000',
    },
    { uid: 'cin-1', summary: 'CIN review - Jordan Pike', start: '20261112T130000', end: '20261112T140000' },
    { uid: 'inset-1', summary: 'INSET day', start: '20261102', end: '20261103' },
    { uid: 'ht-1', summary: 'Half Term', start: '20261026', end: '20261031' },
    { uid: 'autumn', summary: 'Autumn Term', start: '20260903', end: '20261219' },
  ]);

  it('stores meetings and term dates, links by UPN, only suggests by name, and re-sync is a no-op', async () => {
    const events: { meetingIds: string[] }[] = [];
    t.hub.events.on('meetings.changed', (p) => {
      events.push(p);
    });
    const first = await syncIcsFeed(t.hub, { orgId, source: 'school', text: feed, ...window });
    expect(first.meetings).toEqual({ created: 6, updated: 0, unchanged: 0, cancelled: 0 });
    expect(first.termDates).toMatchObject({ created: 3, removed: 0 });
    expect(events).toHaveLength(1);

    const db = t.hub.dbh.db;
    const meetings = await db.meeting.findMany({ where: { orgId }, orderBy: { startsAt: 'asc' } });
    expect(meetings.map((m) => m.kind)).toEqual(['TAC', 'TAC', 'EHCP_ANNUAL_REVIEW', 'TAC', 'CIN', 'TAC']);
    const ar = meetings.find((m) => m.kind === 'EHCP_ANNUAL_REVIEW');
    const cin = meetings.find((m) => m.kind === 'CIN');
    const amelia = await db.student.findFirstOrThrow({ where: { upn: 'A123456789012' } });
    const jordan = await db.student.findFirstOrThrow({ where: { familyName: 'Pike' } });
    expect(ar?.studentId).toBe(amelia.id);
    expect(cin?.studentId).toBeNull();
    expect(cin?.suggestedStudentId).toBe(jordan.id);
    expect(meetings.filter((m) => m.status === 'CANCELLED')).toHaveLength(1);
    // Titles are ciphertext at rest.
    expect(meetings.every((m) => m.titleEnc && !m.titleEnc.includes('Pike'))).toBe(true);
    const attendees = await db.meetingAttendee.findMany({ where: { meetingId: meetings[0]?.id } });
    expect(attendees.find((a) => a.email === 'sendco@school.example')?.staffId).toBeTruthy();

    const terms = await db.termDate.findMany({ where: { orgId }, orderBy: { startDate: 'asc' } });
    expect(terms.map((x) => [x.kind, x.startDate, x.endDate])).toEqual([
      ['TERM', '2026-09-03', '2026-12-18'],
      ['CLOSURE', '2026-10-26', '2026-10-30'],
      ['INSET', '2026-11-02', '2026-11-02'],
    ]);

    const again = await syncIcsFeed(t.hub, { orgId, source: 'school', text: feed, ...window });
    expect(again.meetings).toEqual({ created: 0, updated: 0, unchanged: 6, cancelled: 0 });
    expect(again.termDates).toMatchObject({ created: 0, updated: 0, removed: 0 });
    expect(events).toHaveLength(1);
    expect(t.logOut.text()).not.toMatch(/Pike|Amelia|Jordan/);
  });

  it('keeps a bad event as an ImportRejection (file, line, field, reason; no value) in the import report', async () => {
    const { ImportRepository } = await import('../../store/import-repository.ts');
    const { formatReport } = await import('../../app/imports/run-import.ts');
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'UID:good-1',
      'SUMMARY:TAC meeting',
      'DTSTART:20261005T090000Z',
      'DTEND:20261005T100000Z',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:bad-1',
      'SUMMARY:CIN review - Jordan Pike',
      'DTSTART;TZID=Mars/Olympus:20261007T090000',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const r = await syncIcsFeed(t.hub, { orgId, source: 'school', text, ...window, via: 'cli' });
    expect(r.meetings.created).toBe(1);
    expect(r.runId).toBeTruthy();
    const repo = new ImportRepository(t.hub.dbh.db);
    const run = await repo.byId(r.runId as string);
    expect(run).toMatchObject({ kind: 'ics', fileName: 'ics:school', via: 'cli', status: 'COMPLETED' });
    expect(run).toMatchObject({ rowsRead: 2, created: 1, updated: 0, unchanged: 0, rejected: 1 });
    const rows = await repo.rejections(r.runId as string);
    expect(rows).toEqual([{ file: 'ics:school', line: 12, field: 'DTSTART', reason: expect.any(String) }]);
    const report = formatReport(run!, rows);
    expect(report).toContain('ics:school line 12, DTSTART: unknown time zone');
    expect(report).not.toMatch(/Mars|Olympus|Pike/);

    // A scheduled re-sync that changes nothing but still rejects the event reports it again; one that
    // changes and rejects nothing leaves no report.
    const again = await syncIcsFeed(t.hub, { orgId, source: 'school', text, ...window, via: 'schedule' });
    expect(again.runId).not.toBe(r.runId);
    expect(await repo.rejections(again.runId as string)).toHaveLength(1);
    const clean = text.replace('DTSTART;TZID=Mars/Olympus:20261007T090000', 'DTSTART:20261007T090000Z');
    await syncIcsFeed(t.hub, { orgId, source: 'school', text: clean, ...window, via: 'schedule' });
    const quiet = await syncIcsFeed(t.hub, {
      orgId,
      source: 'school',
      text: clean,
      ...window,
      via: 'schedule',
    });
    expect(quiet.runId).toBeNull();
  });

  it('cancels meetings that vanish from the feed and prunes moved INSET days', async () => {
    await syncIcsFeed(t.hub, { orgId, source: 'school', text: feed, ...window });
    const smaller = buildIcs([
      ...tacSeries,
      { uid: 'inset-1', summary: 'INSET day', start: '20261116', end: '20261117' },
    ]);
    const r = await syncIcsFeed(t.hub, { orgId, source: 'school', text: smaller, ...window });
    expect(r.meetings.cancelled).toBe(2);
    expect(r.termDates).toMatchObject({ created: 1, removed: 3 });
    const db = t.hub.dbh.db;
    expect(await db.meeting.count({ where: { orgId } })).toBe(6); // nothing deleted
    expect(await db.termDate.findMany({ where: { orgId }, select: { startDate: true } })).toEqual([
      { startDate: '2026-11-16' },
    ]);
  });
});
