/**
 * Issue 15: structure-aware fuzzing of the ICS reader with mutations of our own corpus (test/fixtures/ics).
 * A mutation inside one event (a hostile value, a stray parameter, a fold without its space, a deleted or
 * doubled property, a NUL byte) may cost that event, never another: every other event's occurrences are
 * exactly as before. Mutations of the structure (BEGIN/END lines, a cut file, swapped lines) may cost more,
 * but the reader never hangs (a per-file time bound), never throws anything but a FileRefusedError, names
 * lines that exist, and its memory stays bounded.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileRefusedError } from '../../integrations/exports/errors.ts';
import { type IcsOccurrence, type IcsRejection, readIcsFeed } from '../../integrations/ics/read-ics-feed.ts';

const dir = path.resolve('test/fixtures/ics');
const window = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };
// secondly-1970.ics expands 5,000 instances on every read: covered by ics-corpus.test.ts, too slow here.
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ics') && f !== 'secondly-1970.ics')
  .sort();
const corpus = new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8').split(/\r?\n/)]));

/** Per file, on a busy 2-core machine: the reader's own bounds are 5 s per event and 30 s per feed. */
const PER_FILE_MS = 40_000;
const HEAP_BOUND = 256 * 1024 * 1024;

interface EventLine {
  index: number;
  uid: string;
}

/** Property lines inside a VEVENT (not its BEGIN/END/UID, not in a VALARM), with the event's UID. */
function eventLines(lines: string[]): EventLine[] {
  const out: EventLine[] = [];
  let start = -1;
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (/^BEGIN:VEVENT/i.test(l)) {
      start = i;
      depth = 0;
    } else if (start >= 0 && /^BEGIN:/i.test(l)) depth++;
    else if (start >= 0 && /^END:VEVENT/i.test(l)) {
      const body = lines.slice(start + 1, i);
      const uid = body.find((x) => /^UID[:;]/i.test(x))?.replace(/^UID[^:]*:/i, '') ?? '';
      for (let j = start + 1; j < i; j++) {
        const x = lines[j] ?? '';
        if (uid && /^[A-Za-z]/.test(x) && !/^(UID|BEGIN|END)[:;]/i.test(x) && !x.startsWith(' '))
          out.push({ index: j, uid });
      }
      start = -1;
    } else if (start >= 0 && /^END:/i.test(l)) depth--;
    if (depth < 0) depth = 0;
  }
  return out.filter((e) => !isInAlarm(lines, e.index));
}

function isInAlarm(lines: string[], index: number): boolean {
  for (let j = index - 1; j >= 0; j--) {
    if (/^END:VALARM/i.test(lines[j] ?? '')) return false;
    if (/^BEGIN:VALARM/i.test(lines[j] ?? '')) return true;
    if (/^BEGIN:VEVENT/i.test(lines[j] ?? '')) return false;
  }
  return false;
}

const HOSTILE = [
  'P999999999999999999W',
  'PT99999999999999S',
  '19700101T000000Z',
  '99991231T235959Z',
  '20261316T250000Z',
  'FREQ=SECONDLY',
  'FREQ=MINUTELY;BYSECOND=61',
  'FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO;COUNT=999999999',
  'FREQ=DAILY;INTERVAL=0',
  'FREQ=WEEKLY;UNTIL=19000101',
  'FREQ=MONTHLY;BYSETPOS=-366;BYDAY=MO,TU',
  '20261005T090000Z/P999999999W',
  '',
  ';;;',
  '"',
  '\\',
  ',,,,',
  'mailto:',
  'x'.repeat(5000),
  '🙂'.repeat(100),
];

type Mutation =
  | { kind: 'value'; pick: number; value: string }
  | { kind: 'param'; pick: number; param: string }
  | { kind: 'fold'; pick: number; at: number; space: boolean }
  | { kind: 'delete' | 'duplicate' | 'lower' | 'nul'; pick: number }
  | { kind: 'structure'; op: 'drop-line' | 'swap' | 'cut'; a: number; b: number };

const inEvent = fc.oneof(
  fc.record({ kind: fc.constant('value' as const), pick: fc.nat(), value: fc.constantFrom(...HOSTILE) }),
  fc.record({
    kind: fc.constant('param' as const),
    pick: fc.nat(),
    param: fc.constantFrom(
      ';TZID=Nowhere/Zone',
      ';VALUE=PERIOD',
      ';X-Q="unterminated',
      ';CN=Sixt SE',
      ';=',
      ';VALUE=DATE',
    ),
  }),
  fc.record({ kind: fc.constant('fold' as const), pick: fc.nat(), at: fc.nat(), space: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'lower' as const, 'nul' as const),
    pick: fc.nat(),
  }),
);
const structural = fc.record({
  kind: fc.constant('structure' as const),
  op: fc.constantFrom('drop-line' as const, 'swap' as const, 'cut' as const),
  a: fc.nat(),
  b: fc.nat(),
});

/** Apply `m` to `lines`; returns the text and the UID whose event it touched (null for structure). */
function mutate(lines: string[], m: Mutation): { text: string; uid: string | null } {
  const out = [...lines];
  if (m.kind === 'structure') {
    const a = m.a % out.length;
    const b = m.b % out.length;
    if (m.op === 'drop-line') out.splice(a, 1);
    else if (m.op === 'swap') [out[a], out[b]] = [out[b] ?? '', out[a] ?? ''];
    else return { text: out.join('\r\n').slice(0, (m.a * 7919) % (out.join('\r\n').length + 1)), uid: null };
    return { text: out.join('\r\n'), uid: null };
  }
  const targets = eventLines(lines);
  const t = targets[m.pick % targets.length] as EventLine;
  const line = out[t.index] as string;
  const colon = Math.max(line.indexOf(':'), 0);
  const semi = line.search(/[;:]/);
  switch (m.kind) {
    case 'value':
      out[t.index] = `${line.slice(0, colon + 1)}${m.value}`;
      break;
    case 'param':
      out[t.index] = `${line.slice(0, semi)}${m.param}${line.slice(semi)}`;
      break;
    case 'fold': {
      const at = 1 + (m.at % Math.max(1, line.length - 1));
      out.splice(t.index, 1, line.slice(0, at), `${m.space ? ' ' : ''}${line.slice(at)}`);
      break;
    }
    case 'delete':
      out.splice(t.index, 1);
      break;
    case 'duplicate':
      out.splice(t.index, 0, line);
      break;
    case 'lower':
      out[t.index] = `${line.slice(0, semi).toLowerCase()}${line.slice(semi)}`;
      break;
    case 'nul':
      out[t.index] = `${line.slice(0, colon + 1)}\0${line.slice(colon + 1)}`;
      break;
  }
  return { text: out.join('\r\n'), uid: t.uid };
}

const key = (o: IcsOccurrence) =>
  `${o.externalId}|${o.start.toISOString()}|${o.end.toISOString()}|${o.cancelled}|${o.summary}`;

function byUid(occ: IcsOccurrence[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const o of occ) m.set(o.uid, [...(m.get(o.uid) ?? []), key(o)].sort());
  return m;
}

const baseline = new Map(
  files.map((f) => [f, byUid(readIcsFeed((corpus.get(f) ?? []).join('\r\n'), f, window))]),
);

function readBounded(text: string, file: string) {
  const rejected: IcsRejection[] = [];
  const heap = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let occ: IcsOccurrence[] | null = null;
  try {
    occ = readIcsFeed(text, file, window, rejected);
  } catch (err) {
    if (!(err instanceof FileRefusedError)) throw err;
  }
  const ms = performance.now() - t0;
  expect(ms, `${file} took ${Math.round(ms)} ms`).toBeLessThan(PER_FILE_MS);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(HEAP_BOUND);
  const lineCount = text.split(/\r\n|\n|\r/).length;
  for (const r of rejected)
    expect(r.line >= 1 && r.line <= lineCount, `line ${r.line} of ${lineCount}`).toBe(true);
  return occ;
}

describe('ICS reader fuzzing (mutations of test/fixtures/ics)', () => {
  it('a mutation inside one event never costs another event, never hangs, never crashes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), inEvent, (file, m) => {
        const { text, uid } = mutate(corpus.get(file) ?? [], m as Mutation);
        const occ = readBounded(text, file);
        expect(occ, 'an event-level mutation must not refuse the feed').not.toBeNull();
        const now = byUid(occ ?? []);
        for (const [u, keys] of baseline.get(file) ?? []) if (u !== uid) expect(now.get(u), u).toEqual(keys);
      }),
      { numRuns: 250, seed: 15_001 },
    );
  }, 120_000);

  it('a mutation of the structure never hangs or crashes, and refuses only with a FileRefusedError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), structural, (file, m) => {
        readBounded(mutate(corpus.get(file) ?? [], m).text, file);
      }),
      { numRuns: 150, seed: 15_002 },
    );
  }, 120_000);
});
