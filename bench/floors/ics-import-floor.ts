/**
 * The floor of an ICS import (issue 15 point 5): the same work as `send-hub import ics` on a feed of plain
 * events, with the same libraries and nothing else. The file is read as a stream and unfolded line by line;
 * each VEVENT is parsed by ical.js on its own (ICAL.parse of the event's text); per event, AES-256-GCM of its
 * title (as store/crypto/field-cipher.ts does), SHA-256 of its fields (the sync's change hash) and one
 * prepared better-sqlite3 insert into the hub's own `Meeting` table and one per attendee into
 * `MeetingAttendee`; all in one transaction. No validation, no bounds, no time zones, no recurrence, no
 * report, no diff against stored meetings, no reminder planning, no Prisma: what is left is what any importer
 * of this feed must pay.
 *
 * In-process: `icsImportFloor(icsFile, dbFile, orgId)` → `{ events, ms }`.
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import ICAL from 'ical.js';

const KEY = randomBytes(32);
const AAD = Buffer.from('Meeting.titleEnc');

function encrypt(text: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', KEY, iv);
  c.setAAD(AAD);
  const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return `v1:floor:${iv.toString('base64url')}:${c.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
}

const ts = (d: Date) => d.toISOString().replace('Z', '+00:00');

export async function icsImportFloor(
  icsFile: string,
  dbFile: string,
  orgId: string,
): Promise<{ events: number; ms: number }> {
  const started = performance.now();
  const db = new Database(dbFile);
  try {
    const meeting = db.prepare(
      `INSERT INTO "Meeting" ("id", "orgId", "source", "externalId", "kind", "titleEnc", "startsAt", "endsAt",
         "organiserEmail", "status", "sourceHash", "createdAt", "updatedAt")
       VALUES (?, ?, 'floor', ?, 'OTHER', ?, ?, ?, ?, 'SCHEDULED', ?, ?, ?)`,
    );
    const attendee = db.prepare(
      'INSERT INTO "MeetingAttendee" ("id", "meetingId", "email", "optional") VALUES (?, ?, ?, 0)',
    );
    const now = ts(new Date());
    let events = 0;
    let lines: string[] | null = null;
    db.exec('BEGIN');
    const input = readline.createInterface({ input: fs.createReadStream(icsFile), crlfDelay: Infinity });
    for await (const line of input) {
      if (line.startsWith(' ') && lines) {
        lines[lines.length - 1] += line.slice(1);
        continue;
      }
      if (line === 'BEGIN:VEVENT') lines = [];
      if (!lines) continue;
      lines.push(line);
      if (line !== 'END:VEVENT') continue;
      const c = new ICAL.Component(ICAL.parse(lines.join('\r\n')) as unknown[]);
      lines = null;
      const start = (c.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate();
      const end = (c.getFirstPropertyValue('dtend') as ICAL.Time).toJSDate();
      const summary = String(c.getFirstPropertyValue('summary') ?? '');
      const organiser = String(c.getFirstPropertyValue('organizer') ?? '').replace(/^mailto:/i, '');
      const emails = c
        .getAllProperties('attendee')
        .map((p) => String(p.getFirstValue()).replace(/^mailto:/i, ''));
      const hash = createHash('sha256')
        .update(JSON.stringify([summary, start, end, organiser, emails]))
        .digest('hex');
      const id = randomUUID();
      meeting.run(
        id,
        orgId,
        c.getFirstPropertyValue('uid'),
        encrypt(summary),
        ts(start),
        ts(end),
        organiser,
        hash,
        now,
        now,
      );
      for (const email of emails) attendee.run(randomUUID(), id, email);
      events++;
    }
    db.exec('COMMIT');
    return { events, ms: performance.now() - started };
  } finally {
    db.close();
  }
}
