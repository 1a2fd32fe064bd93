/**
 * Issue 15 point 5: an ICS feed is read as a stream (a file 64 KiB at a time, one event at a time) and written
 * in batches. The edges a streaming reader can get wrong: a line (or a character, or a CRLF) cut between two
 * chunks, a VTIMEZONE after the events that use it, CRLF and LF mixed, a bad event in the middle of a write
 * batch; and the writes: a re-import writes nothing, a moved event updates exactly that meeting, a cancelled
 * event cancels its meeting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropFolder } from '../../app/imports/drop-folder.ts';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { contentLines } from '../../integrations/ics/content-lines.ts';
import { ExpansionBudget, expandSeries } from '../../integrations/ics/expand.ts';
import { parseEvent } from '../../integrations/ics/ics-event.ts';
import {
  fileSource,
  type IcsOccurrence,
  type IcsRejection,
  readIcsFeed,
} from '../../integrations/ics/read-ics-feed.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const window = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'send-hub-ics-stream-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeFeed(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A feed whose zone is defined after its events, with folded lines and non-ASCII text, in CRLF. */
const ZONE_AFTER = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//SEND Hub tests//EN',
  'BEGIN:VEVENT',
  'UID:a@school.example',
  'DTSTART;TZID=School/Plus Two:20261105T100000',
  'DTEND;TZID=School/Plus Two:20261105T110000',
  'SUMMARY:Réunion annuelle – EHCP annual review for the whole year group with a very long title that',
  '  is folded onto a second line 🙂',
  'ATTENDEE;ROLE=REQ-PARTICIPANT;CN="Ms ',
  ' Teacher":mailto:teacher@school.example',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:b@school.example',
  'DTSTART:20261106T090000Z',
  'DTEND:20261106T100000Z',
  'SUMMARY:TAC meeting',
  'END:VEVENT',
  'BEGIN:VTIMEZONE',
  'TZID:School/Plus Two',
  'BEGIN:STANDARD',
  'DTSTART:19700101T000000',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0200',
  'END:STANDARD',
  'END:VTIMEZONE',
  'END:VCALENDAR',
  '',
].join('\r\n');

const view = (o: IcsOccurrence[]) =>
  o.map((x) => [x.externalId, x.summary, x.start.toISOString(), x.end.toISOString(), x.attendees.length]);

describe('streaming reader', () => {
  it('unfolds a content line cut between two chunks at any place (even inside a CRLF)', () => {
    const whole = [...contentLines(ZONE_AFTER)];
    expect(whole.find((l) => l.text.startsWith('SUMMARY:R'))?.text).toMatch(/that is folded .* 🙂$/);
    for (let cut = 1; cut < ZONE_AFTER.length; cut++) {
      const parts = [ZONE_AFTER.slice(0, cut), ZONE_AFTER.slice(cut)];
      expect([...contentLines(parts)], `cut at ${cut}`).toEqual(whole);
    }
    // One character per chunk: every line and every fold crosses a boundary.
    expect([...contentLines([...ZONE_AFTER])]).toEqual(whole);
  });

  it('reads a file in small chunks (UTF-8 characters cut between reads) the same as the whole text', () => {
    const file = writeFeed('zone-after.ics', ZONE_AFTER);
    const whole = readIcsFeed(ZONE_AFTER, 'zone-after.ics', window);
    for (const bytes of [1, 3, 7, 64, 1000]) {
      const occ = readIcsFeed(fileSource(file, bytes), 'zone-after.ics', window);
      expect(view(occ), `${bytes}-byte reads`).toEqual(view(whole));
    }
    expect(view(whole)).toEqual([
      [
        'a@school.example',
        'Réunion annuelle – EHCP annual review for the whole year group with a very long title that is folded onto a second line 🙂',
        // The zone (UTC+2) is defined after the event that uses it.
        '2026-11-05T08:00:00.000Z',
        '2026-11-05T09:00:00.000Z',
        1,
      ],
      ['b@school.example', 'TAC meeting', '2026-11-06T09:00:00.000Z', '2026-11-06T10:00:00.000Z', 0],
    ]);
  });

  it("a feed's expansion budget counts the time spent expanding, not the reading and writing between", () => {
    const comp = parseEvent(
      ['UID:w', 'DTSTART:20261102T090000Z', 'DTEND:20261102T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=4'].map(
        (text, i) => ({ text, line: i + 1 }),
      ),
    );
    if (!(comp instanceof ICAL.Component)) throw new Error('not parsed');
    const budget = new ExpansionBudget(500);
    // 600 ms elsewhere (a streamed feed's plain events being read and written) before the first series.
    const until = performance.now() + 600;
    while (performance.now() < until);
    const found: IcsOccurrence[] = [];
    const w = { fromMs: window.from.getTime(), toMs: window.to.getTime() };
    expandSeries((o) => found.push(o), 'w', new ICAL.Event(comp), w, new Map(), budget);
    expect(found).toHaveLength(4);
    expect(budget.msLeft).toBeGreaterThan(0);
  });

  it('reads CRLF and LF mixed in one file', () => {
    const lines = ZONE_AFTER.split('\r\n');
    const mixed = lines.map((l, i) => `${l}${i % 3 === 0 ? '\n' : '\r\n'}`).join('');
    const file = writeFeed('mixed.ics', mixed);
    const rejected: IcsRejection[] = [];
    const occ = readIcsFeed(fileSource(file, 5), 'mixed.ics', window, rejected);
    expect(rejected).toEqual([]);
    expect(view(occ)).toEqual(view(readIcsFeed(ZONE_AFTER, 'z.ics', window)));
  });
});

/** `n` separate events in November 2026, 15 minutes apart, with `change` applied to some of them. */
function manyEvents(n: number, change: (i: number, lines: string[]) => string[] = (_i, l) => l): string {
  const out = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//SEND Hub tests//EN'];
  const base = Date.UTC(2026, 10, 2, 8);
  const stamp = (ms: number) =>
    new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  for (let i = 0; i < n; i++) {
    const start = base + i * 900_000;
    const ev = [
      'BEGIN:VEVENT',
      `UID:ev-${i}@school.example`,
      'DTSTAMP:20261001T000000Z',
      `DTSTART:${stamp(start)}`,
      `DTEND:${stamp(start + 1_800_000)}`,
      `SUMMARY:Review meeting ${i}`,
      'ORGANIZER:mailto:sendco@school.example',
      `ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:teacher${i % 7}@school.example`,
      'END:VEVENT',
    ];
    out.push(...change(i, ev));
  }
  out.push('END:VCALENDAR', '');
  return out.join('\r\n');
}

/** 1-based line of the first line of `text` that matches `re`. */
const lineOf = (text: string, re: RegExp) => text.split('\r\n').findIndex((l) => re.test(l)) + 1;

describe.each(providers)('syncIcsFeed from a file on %s', (provider) => {
  let t: TestHub;
  let orgId: string;
  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-10-01T09:00:00Z', modules: [] });
    orgId = (await t.hub.dbh.db.organisation.create({ data: { name: 'Test school' } })).id;
  });
  afterEach(async () => t.close());

  const N = 1203; // more than two write batches of 500
  const sync = (file: string) => syncIcsFeed(t.hub, { orgId, source: 'school', path: file, ...window });

  it('keeps the good events around a bad one in the middle of a batch and names its line', async () => {
    const text = manyEvents(N, (i, ev) =>
      i === 742 ? ev.map((l) => l.replace(/^DTEND:.*/, 'DTEND:2026113')) : ev,
    );
    const r = await sync(writeFeed('bad-middle.ics', text));
    expect(r.occurrences).toBe(N - 1);
    expect(r.meetings.created).toBe(N - 1);
    expect(r.rejected).toEqual([
      {
        file: 'ics:school',
        line: lineOf(text, /^DTEND:2026113$/),
        event: 'event UID ev-742@school.example',
        field: 'DTEND',
        reason: expect.stringMatching(/^expected a date/),
      },
    ]);
    const db = t.hub.dbh.db;
    expect(await db.meeting.count({ where: { orgId } })).toBe(N - 1);
    expect(
      await db.meeting.count({
        where: { orgId, externalId: { in: ['ev-741@school.example', 'ev-743@school.example'] } },
      }),
    ).toBe(2);
    expect(await db.meetingAttendee.count()).toBe(N - 1);
  });

  it('a re-import of the same file writes nothing; one moved event updates exactly that meeting; a cancelled one cancels it', async () => {
    const db = t.hub.dbh.db;
    const changed: string[][] = [];
    t.hub.events.on('meetings.changed', (p) => {
      changed.push(p.meetingIds);
    });
    const file = writeFeed('many.ics', manyEvents(N));
    const first = await sync(file);
    expect(first.meetings).toEqual({ created: N, updated: 0, unchanged: 0, cancelled: 0 });
    // Re-planned a slice at a time, every new meeting once.
    expect(changed.flat().sort()).toEqual([...first.meetingIds].sort());
    const before = await db.meeting.findMany({ where: { orgId }, select: { id: true, updatedAt: true } });

    changed.length = 0;
    const again = await sync(file);
    expect(again.meetings).toEqual({ created: 0, updated: 0, unchanged: N, cancelled: 0 });
    expect(again.meetingIds).toEqual([]);
    expect(changed).toEqual([]);
    const after = await db.meeting.findMany({ where: { orgId }, select: { id: true, updatedAt: true } });
    expect(after).toEqual(before);

    const moved = manyEvents(N, (i, ev) =>
      // Moved with its end (an end before its start is rejected: RFC 5545 §3.6.1).
      i === 600
        ? ev.map((l) =>
            l
              .replace(/^DTSTART:.*/, 'DTSTART:20261224T090000Z')
              .replace(/^DTEND:.*/, 'DTEND:20261224T093000Z'),
          )
        : ev,
    );
    const m = await sync(writeFeed('moved.ics', moved));
    expect(m.meetings).toEqual({ created: 0, updated: 1, unchanged: N - 1, cancelled: 0 });
    const ev600 = await db.meeting.findFirstOrThrow({
      where: { orgId, externalId: 'ev-600@school.example' },
    });
    expect(m.meetingIds).toEqual([ev600.id]);
    expect(changed).toEqual([[ev600.id]]);
    expect(ev600.startsAt.toISOString()).toBe('2026-12-24T09:00:00.000Z');

    const cancelled = manyEvents(N, (i, ev) =>
      i === 600
        ? ev.map((l) =>
            l
              .replace(/^DTSTART:.*/, 'DTSTART:20261224T090000Z')
              .replace(/^DTEND:.*/, 'DTEND:20261224T093000Z'),
          )
        : i === 10
          ? [...ev.slice(0, -1), 'STATUS:CANCELLED', 'END:VEVENT']
          : ev,
    );
    const c = await sync(writeFeed('cancelled.ics', cancelled));
    expect(c.meetings).toEqual({ created: 0, updated: 1, unchanged: N - 1, cancelled: 0 });
    const ev10 = await db.meeting.findFirstOrThrow({ where: { orgId, externalId: 'ev-10@school.example' } });
    expect(ev10.status).toBe('CANCELLED');
    expect(c.meetingIds).toEqual([ev10.id]);
    expect(await db.meeting.count({ where: { orgId, status: 'CANCELLED' } })).toBe(1);
  });

  it('the drop folder streams an ICS file through its descriptor', async () => {
    const drop = fs.mkdtempSync(path.join(tmp, 'drop-'));
    fs.mkdirSync(path.join(drop, 'ics'));
    const file = path.join(drop, 'ics', 'school.ics');
    fs.writeFileSync(file, manyEvents(N));
    const r = await new DropFolder(t.hub, drop).processFile(file);
    expect(r.status).toBe('done');
    expect(await t.hub.dbh.db.meeting.count({ where: { orgId, source: 'ics:school' } })).toBe(N);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses a file that is not iCalendar before writing anything', async () => {
    const file = writeFeed('not.ics', `${'x'.repeat(200_000)}\r\n`);
    await expect(sync(file)).rejects.toThrow(/not an iCalendar file/);
    expect(await t.hub.dbh.db.meeting.count()).toBe(0);
  });
});
