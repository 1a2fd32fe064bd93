/**
 * Issue 15, points 1-5: a corpus of calendars written for this project (test/fixtures/ics/) covering what
 * public iCalendar parser suites cover: recurrence edge cases (RDATE periods, EXDATE, overrides before their
 * series, orphan overrides, yearly all-day, last Friday, UNTIL as a date, a rule no date satisfies), time zones
 * (VTIMEZONE after its use, Windows names defined and undefined, New York), all-day events, folding (tabs,
 * Apple lines without the leading space, multi-byte), line ends (LF only, BOM, blank lines, lower-case names)
 * and the quirks of Google, Outlook/Exchange, Apple and Zimbra exports; and hostile ones (a DURATION of 10^18
 * weeks, FREQ=SECONDLY from 1970). Each fixture is read with its expected outcome; then each is synced into
 * a database on every provider.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { type IcsRejection, readIcsFeed, streamIcsFeed } from '../../integrations/ics/read-ics-feed.ts';
import { ImportRepository } from '../../store/import-repository.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const dir = path.resolve('test/fixtures/ics');
const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
const window = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };

interface Expected {
  /** Occurrences in the window. */
  count: number;
  /** Some occurrences: [externalId suffix or UID, start ISO, end ISO, cancelled?]. */
  has?: [string, string, string, boolean?][];
  /** Rejected events as [line, field]. */
  rejected?: [number, string][];
  notices?: number;
  check?: (occ: ReturnType<typeof readIcsFeed>) => void;
}

const expected: Record<string, Expected> = {
  'minimal.ics': {
    count: 1,
    has: [['minimal-1@fixtures.example', '2026-10-05T09:00:00Z', '2026-10-05T10:00:00Z']],
  },
  'all-day-term.ics': {
    count: 3,
    check: (occ) =>
      expect(occ.map((o) => [o.allDay, o.startDate, o.lastDate])).toEqual([
        [true, '2026-10-26', '2026-10-30'],
        [true, '2026-11-02', '2026-11-02'], // no DTEND: one day
        [true, '2026-12-21', '2027-01-03'], // DURATION:P14D
      ]),
  },
  'google-london.ics': {
    count: 7,
    has: [
      ['/2026-10-06T09:00:00.000Z', '2026-10-06T09:00:00Z', '2026-10-06T10:00:00Z'], // BST
      ['/2026-11-03T10:00:00.000Z', '2026-11-03T10:00:00Z', '2026-11-03T11:00:00Z'], // GMT
      ['/2026-11-10T10:00:00.000Z', '2026-11-10T14:00:00Z', '2026-11-10T15:00:00Z'], // moved
      ['/2026-11-24T10:00:00.000Z', '2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z'], // UNTIL inclusive
    ],
    check: (occ) => {
      expect(occ.some((o) => o.start.toISOString().startsWith('2026-10-27'))).toBe(false); // EXDATE
      const first = occ[0];
      expect(first?.attendees).toEqual([
        { email: 'pastoral@school.example', optional: false },
        { email: 'visitor@la.example', optional: true },
      ]);
      expect(first?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_abc/);
    },
  },
  'outlook-windows-zones.ics': {
    count: 5,
    has: [
      ['/2026-10-15T08:30:00.000Z', '2026-10-15T08:30:00Z', '2026-10-15T09:30:00Z'],
      ['/2026-10-29T09:30:00.000Z', '2026-10-29T09:30:00Z', '2026-10-29T10:30:00Z'],
      ['0000FFEEDDCCBBAA0099', '2026-12-01T09:00:00Z', '2026-12-01T10:30:00Z'], // W. Europe, defined
    ],
    rejected: [[71, 'DTSTART']], // Romance Standard Time: not defined in the feed
  },
  'outlook-undefined-zone.ics': {
    count: 2,
    has: [
      ['undefined-gmt-standard@fixtures.example', '2026-09-15T08:00:00Z', '2026-09-15T09:00:00Z'],
      ['undefined-outlook-display@fixtures.example', '2026-11-16T09:00:00Z', '2026-11-16T10:00:00Z'],
    ],
  },
  'apple-folding.ics': {
    count: 2,
    has: [['8F1E2D3C-AAAA-4BBB-8CCC-0123456789AB', '2026-10-08T14:00:00Z', '2026-10-08T15:00:00Z']],
  },
  'zimbra-rdate-period.ics': {
    count: 6,
    has: [
      ['/2026-10-07T09:00:00.000Z', '2026-10-07T09:00:00Z', '2026-10-07T10:00:00Z'],
      ['/2026-10-13T13:00:00.000Z', '2026-10-13T13:00:00Z', '2026-10-13T14:30:00Z'], // RDATE period, own end
      ['/2026-10-20T13:00:00.000Z', '2026-10-20T13:00:00Z', '2026-10-20T15:00:00Z'], // RDATE start/PT2H
      ['/2026-10-21T09:00:00.000Z', '2026-10-22T09:00:00Z', '2026-10-22T10:00:00Z'], // moved a day
      ['/2026-10-28T10:00:00.000Z', '2026-10-28T10:00:00Z', '2026-10-28T11:00:00Z', true], // cancelled
      ['/2026-11-11T10:00:00.000Z', '2026-11-11T10:00:00Z', '2026-11-11T11:00:00Z'],
    ],
  },
  'quirky-properties.ics': {
    count: 5,
    has: [
      [
        'byday-space@fixtures.example/2026-10-20T15:00:00.000Z',
        '2026-10-20T15:00:00Z',
        '2026-10-20T16:00:00Z',
      ],
      ['unquoted-cn@fixtures.example', '2026-10-07T08:00:00Z', '2026-10-07T09:00:00Z'],
      ['bad-x-property@fixtures.example', '2026-10-08T08:00:00Z', '2026-10-08T09:00:00Z'],
    ],
    rejected: [[32, 'RRULE']],
    check: (occ) =>
      expect(occ.find((o) => o.uid === 'unquoted-cn@fixtures.example')?.organiserEmail).toBe(
        'bookings@sixt.example',
      ),
  },
  'duration-bomb.ics': {
    count: 1,
    has: [['good-after-bomb@fixtures.example', '2026-10-06T09:00:00Z', '2026-10-06T10:30:00Z']],
    rejected: [
      [8, 'DURATION'],
      [15, 'DURATION'],
      [24, 'RDATE'],
    ],
  },
  'secondly-1970.ics': {
    count: 5000 + 122,
    notices: 1,
    check: (occ) => {
      expect(occ.every((o) => o.end > window.from)).toBe(true);
      expect(occ.filter((o) => o.uid === 'every-second@fixtures.example')[0]?.start.toISOString()).toBe(
        '2026-09-01T00:00:00.000Z',
      );
      expect(occ.filter((o) => o.uid === 'daily-since-1970@fixtures.example')).toHaveLength(122);
    },
  },
  'new-york-zone.ics': {
    count: 1,
    has: [['ny-call@fixtures.example', '2026-11-02T14:00:00Z', '2026-11-02T15:00:00Z']], // EST after 1 Nov
  },
  'bom-lf-blank-lines.ics': { count: 2 },
  'broken-events.ics': {
    count: 2,
    has: [['after-no-end@fixtures.example', '2026-10-15T09:00:00Z', '2026-10-15T10:00:00Z']],
    rejected: [
      [4, 'VEVENT'],
      [15, 'UID'],
      [22, 'DTSTART'],
      [38, 'DTSTART'],
    ],
  },
  'duplicates-and-orphans.ics': {
    count: 5,
    has: [
      [
        'override-first@fixtures.example/2026-10-13T09:00:00.000Z',
        '2026-10-13T13:00:00Z',
        '2026-10-13T14:00:00Z',
      ],
      ['twice@fixtures.example', '2026-10-07T09:00:00Z', '2026-10-07T10:00:00Z'],
      [
        'invited-to-one@fixtures.example/2026-11-10T16:00:00.000Z',
        '2026-11-10T16:00:00Z',
        '2026-11-10T17:00:00Z',
      ],
    ],
    rejected: [[24, 'UID']],
  },
  'yearly-and-monthly.ics': {
    count: 7,
    has: [
      ['anniversary@fixtures.example/2026-11-20', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z'],
      [
        'last-friday@fixtures.example/2026-12-25T14:00:00.000Z',
        '2026-12-25T14:00:00Z',
        '2026-12-25T15:00:00Z',
      ],
    ],
  },
  'unicode-and-escapes.ics': {
    count: 1,
    check: (occ) => {
      expect(occ[0]?.summary).toBe(
        'Réunion d’équipe – café ☕ with a summary long enough to be folded across two lines in the middle of a word',
      );
      expect(occ[0]?.categories).toEqual(['TAC', 'Review, annual']);
      expect(occ[0]?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    },
  },
};

describe('the ICS corpus (test/fixtures/ics)', () => {
  it('has an expected outcome for every fixture', () => {
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ics'))
        .sort(),
    ).toEqual(Object.keys(expected).sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    it(`reads ${file}`, () => {
      const rejected: IcsRejection[] = [];
      const notices: IcsRejection[] = [];
      const text = read(file);
      const occ = readIcsFeed(text, file, window, rejected, notices);
      expect(occ).toHaveLength(want.count);
      for (const [id, start, end, cancelled] of want.has ?? []) {
        const o = occ.find((x) => x.externalId === id || x.externalId.endsWith(id));
        expect(o, id).toBeDefined();
        expect([o?.start.toISOString(), o?.end.toISOString()]).toEqual([
          start.replace('Z', '.000Z'),
          end.replace('Z', '.000Z'),
        ]);
        expect(o?.cancelled).toBe(cancelled ?? false);
      }
      expect(rejected.map((r) => [r.line, r.field])).toEqual(want.rejected ?? []);
      expect(notices).toHaveLength(want.notices ?? 0);
      // A reason names the rule, never the value; its line is where the field (or the event) is.
      const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
      for (const r of [...rejected, ...notices]) {
        expect(r.file).toBe(file);
        expect(lines[r.line - 1]).toMatch(new RegExp(`^(${r.field}[;:]|BEGIN:VEVENT)`, 'i'));
        expect(r.reason).not.toMatch(/20261316|9{9}|Romance|FORTNIGHTLY|Sixt/);
      }
      want.check?.(occ);
    });
  }

  it('yields the first event before it has read the rest of the feed (streaming, not a whole tree)', () => {
    const rejected: IcsRejection[] = [];
    // A feed whose last event is broken: a reader that parses everything first reports it before yielding.
    const text = `${read('minimal.ics').replace(/END:VCALENDAR\r\n$/, '')}BEGIN:VEVENT\r\nUID:tail\r\nEND:VCALENDAR\r\n`;
    const it = streamIcsFeed(text, 'stream.ics', window, { rejected, notices: [] });
    expect(it.next().value?.uid).toBe('minimal-1@fixtures.example');
    expect(rejected).toEqual([]);
    expect(it.next().done).toBe(true);
    expect(rejected.map((r) => r.field)).toEqual(['VEVENT']);
  });
});

describe.each(providers)('the ICS corpus synced on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  beforeAll(async () => {
    t = await startTestHub(provider, { now: '2026-09-01T00:00:00Z', modules: [] });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Corpus school' } })).id;
  });
  afterAll(async () => t.close());

  it('keeps every good event of every fixture, and only the sync window', async () => {
    for (const [file, want] of Object.entries(expected)) {
      const r = await syncIcsFeed(t.hub, {
        orgId,
        source: file,
        text: read(file),
        ...window,
        via: 'cli',
      });
      expect(r.occurrences, file).toBe(want.count);
      expect(r.rejected.length, file).toBe(want.rejected?.length ?? 0);
      const stored = await t.hub.dbh.db.meeting.count({ where: { orgId, source: `ics:${file}` } });
      const terms = await t.hub.dbh.db.termDate.count({ where: { orgId, source: `ics:${file}` } });
      expect(stored + terms, file).toBe(want.count);
    }
    const db = t.hub.dbh.db;
    // Point 4: nothing before the window reaches the database, and the cut series is in the report.
    expect(await db.meeting.count({ where: { orgId, endsAt: { lte: window.from } } })).toBe(0);
    expect(await db.meeting.count({ where: { orgId, startsAt: { gte: window.to } } })).toBe(0);
    const runs = await new ImportRepository(db).recent(orgId, 50);
    const secondly = runs.find((r) => r.fileName === 'ics:secondly-1970.ics');
    expect(secondly?.message).toMatch(
      /1 recurring event\(s\) cut at their bound:\n {2}ics:secondly-1970\.ics line 9 \(event UID every-second@fixtures\.example\), RRULE: series cut at 5000/,
    );
  });
});
